package dev.keymeter.quota;

/**
 * The limits of one key, as {@link KeyQuota} applies them. Immutable. {@link #NONE} ({@code -1})
 * marks a dimension without a limit: it is still counted (usage shows in the overview and the
 * metrics), never refused.
 *
 * @param requestsPerMinute admissions in any rolling 60 s, or {@link #NONE}
 * @param tokens            input + output tokens per reset period, or {@link #NONE}
 * @param costMicroUsd      cost in micro-USD per reset period, or {@link #NONE}
 * @param resetPeriod       when the token and cost counters start again
 */
public record QuotaLimits(long requestsPerMinute, long tokens, long costMicroUsd, ResetPeriod resetPeriod) {

    public static final long NONE = -1;

    public QuotaLimits {
        check(requestsPerMinute, RollingWindow.MAX_LIMIT, "requestsPerMinute");
        check(tokens, PeriodBudget.MAX_AMOUNT, "tokens");
        check(costMicroUsd, PeriodBudget.MAX_AMOUNT, "costMicroUsd");
        if (resetPeriod == null) {
            throw new IllegalArgumentException("resetPeriod is required");
        }
    }


    private static void check(long limit, long max, String name) {
        if (limit != NONE && (limit < 0 || limit > max)) {
            throw new IllegalArgumentException(name + " must be " + NONE + " (none) or in [0, " + max + "]: " + limit);
        }
    }
}
