package dev.keymeter.quota;

import dev.keymeter.keys.LimitBound;
import dev.keymeter.keys.ResetPeriod;
/**
 * The limits of one key, as {@link KeyQuota} applies them. Immutable. {@link #NONE} ({@code -1})
 * marks a dimension without a limit: it is still counted (usage shows in the overview and the
 * metrics), never refused. Each limit is at most its {@link LimitBound}.
 *
 * @param requestsPerMinute admissions in any rolling 60 s, or {@link #NONE}
 * @param tokens            input + output tokens per reset period, or {@link #NONE}
 * @param costMicroUsd      cost in micro-USD per reset period, or {@link #NONE}
 * @param resetPeriod       when the token and cost counters start again
 */
public record QuotaLimits(long requestsPerMinute, long tokens, long costMicroUsd, ResetPeriod resetPeriod) {

    public static final long NONE = -1;

    public QuotaLimits {
        check(requestsPerMinute, LimitBound.REQUESTS_PER_MINUTE, "requestsPerMinute");
        check(tokens, LimitBound.TOKENS, "tokens");
        check(costMicroUsd, LimitBound.COST_MICRO_USD, "costMicroUsd");
        if (resetPeriod == null) {
            throw new IllegalArgumentException("resetPeriod is required");
        }
    }


    private static void check(long limit, LimitBound bound, String name) {
        if (limit != NONE && !bound.holds(limit)) {
            throw new IllegalArgumentException(name + " must be " + NONE + " (none) or in [0, " + bound.max() + "]: " + limit);
        }
    }
}
