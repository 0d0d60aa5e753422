package dev.keymeter.lifecycle;

import java.util.Objects;

/**
 * What a sidecar counted for one key between two of its reports: the increase of its cumulative
 * figures. Tokens and cost are cumulative per period (and per usage reset) on each sidecar, requests
 * since the sidecar process started ({@code requests_total}). A figure that dropped, or a period or a
 * usage reset that changed, started again from zero in between (a new period, an administrator's
 * reset, a sidecar restarted without its counters): all of the new figure is new usage. Nothing
 * measured is negative.
 */
public record UsageIncrease(long requests, long tokens, long costMicroUsd) {

    public static final UsageIncrease NONE = new UsageIncrease(0, 0, 0);

    /** The increase from {@code previous} to {@code next}, both reported by the same sidecar for the same key. */
    public static UsageIncrease between(UsageBoard.Figures previous, UsageBoard.Figures next) {
        boolean samePeriod = Objects.equals(previous.usageResetAt(), next.usageResetAt())
                && Objects.equals(previous.periodStart(), next.periodStart());
        return new UsageIncrease(
                increase(previous.requestsTotal(), next.requestsTotal(), true),
                increase(previous.tokensUsed(), next.tokensUsed(), samePeriod),
                increase(previous.costUsedMicroUsd(), next.costUsedMicroUsd(), samePeriod));
    }

    private static long increase(long previous, long next, boolean sameCount) {
        if (next < 0) {
            return 0;
        }
        return sameCount && next >= previous ? next - previous : next;
    }

    public boolean isZero() {
        return requests == 0 && tokens == 0 && costMicroUsd == 0;
    }
}
