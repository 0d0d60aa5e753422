package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
/**
 * The answer of {@link PeriodBudget#tryReserve}: everything a 429 needs, and what
 * {@link PeriodBudget#settle(long, BudgetProbe, long)} needs to settle the reservation. Immutable.
 * Amounts are integers in the budget's unit (tokens, or micro-USD).
 *
 * @param admitted          whether the request may proceed (its estimate is now reserved)
 * @param estimate          the amount reserved by this call (0 when refused)
 * @param used              settled usage in the period (display split, see {@link PeriodBudget})
 * @param reserved          outstanding reservations in the period (display split)
 * @param remaining         {@code limit - (used + reserved)}, never negative; exact
 * @param limit             the limit the decision used
 * @param periodStartMillis first millisecond of the period the decision was made in
 * @param periodEndMillis   first millisecond of the next period: the counters reset then
 *                          ({@link Long#MAX_VALUE} for {@link ResetPeriod#NEVER})
 */
public record BudgetProbe(boolean admitted, long estimate, long used, long reserved, long remaining,
                          long limit, long periodStartMillis, long periodEndMillis) {
}
