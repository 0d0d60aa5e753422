package dev.keymeter.lifecycle;

/**
 * One key's ring of {@link UsageHistory#BUCKETS} buckets: the bucket numbered {@code b} (quarter
 * hours since the epoch) lives in slot {@code b % BUCKETS}. Only the window ending at the newest
 * bucket written ({@code newest}) holds data; moving {@code newest} forward clears the slots it
 * passes, so an old bucket never reappears as a new one. Three primitive arrays: about 2.3 KB a key.
 *
 * <p>Thread-safe: every method holds the instance's monitor (reports of one key are few per second;
 * this is not the Check path).
 */
final class KeyHistory {

    private static final int N = UsageHistory.BUCKETS;

    private final long[] requests = new long[N];
    private final long[] tokens = new long[N];
    private final long[] cost = new long[N];
    private long newest = Long.MIN_VALUE;

    /** Adds {@code increase} to bucket {@code bucket}; a bucket older than the window is dropped (false). */
    synchronized boolean add(long bucket, UsageIncrease increase) {
        if (newest != Long.MIN_VALUE && bucket <= newest - N) {
            return false;
        }
        advanceTo(bucket);
        int slot = slot(bucket);
        requests[slot] = saturatedAdd(requests[slot], increase.requests());
        tokens[slot] = saturatedAdd(tokens[slot], increase.tokens());
        cost[slot] = saturatedAdd(cost[slot], increase.costMicroUsd());
        return true;
    }

    /** The amounts of bucket {@code bucket}: {requests, tokens, cost}, zeros outside the data held. */
    synchronized long[] amounts(long bucket) {
        if (newest == Long.MIN_VALUE || bucket > newest || bucket <= newest - N) {
            return new long[3];
        }
        int slot = slot(bucket);
        return new long[] {requests[slot], tokens[slot], cost[slot]};
    }

    /** The newest bucket written; {@link Long#MIN_VALUE} when none. */
    synchronized long newest() {
        return newest;
    }

    private void advanceTo(long bucket) {
        if (newest != Long.MIN_VALUE && bucket <= newest) {
            return;
        }
        long from = newest == Long.MIN_VALUE ? bucket - N + 1 : Math.max(newest + 1, bucket - N + 1);
        for (long b = from; b <= bucket; b++) {
            int slot = slot(b);
            requests[slot] = 0;
            tokens[slot] = 0;
            cost[slot] = 0;
        }
        newest = bucket;
    }

    private static int slot(long bucket) {
        return (int) Math.floorMod(bucket, (long) N);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
