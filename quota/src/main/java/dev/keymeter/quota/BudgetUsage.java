package dev.keymeter.quota;

/**
 * What {@link PeriodBudget#snapshot} shows: usage of the current period, for display. Immutable.
 *
 * @param used              settled usage in the period
 * @param reserved          outstanding reservations in the period
 * @param periodStartMillis first millisecond of the period
 * @param periodEndMillis   first millisecond of the next period ({@link Long#MAX_VALUE} for NEVER)
 */
public record BudgetUsage(long used, long reserved, long periodStartMillis, long periodEndMillis) {

    /** Used plus reserved: what the period's admissions have taken. */
    public long committed() {
        return used + reserved;
    }
}
