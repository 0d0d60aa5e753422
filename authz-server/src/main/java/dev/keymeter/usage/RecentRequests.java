package dev.keymeter.usage;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The request ids whose usage was counted lately: what makes {@code Report} and the access log
 * idempotent. A retry within {@link #retentionMillis} is recognised; the table holds at most
 * {@code capacity} ids (those older than half the retention are forgotten when it is full, at most once
 * a minute; while it stays full new ids are still counted but not remembered — counting never depends
 * on room here, only de-duplication of retries does).
 *
 * <p>Thread-safe: {@link ConcurrentHashMap#putIfAbsent} decides which of two concurrent reports of one
 * id counts.
 */
public final class RecentRequests {

    public static final long DEFAULT_RETENTION_MILLIS = 60 * 60_000;

    /** How often a full table, or the periodic {@link #expire}, may scan the table. */
    private static final long SWEEP_EVERY_MILLIS = 60_000;

    private final ConcurrentHashMap<String, Long> seen = new ConcurrentHashMap<>();
    private final long retentionMillis;
    private final int capacity;
    /** When the table was last scanned; scans are O(size), so at most one per {@link #SWEEP_EVERY_MILLIS}. */
    private volatile long lastSweepMillis = Long.MIN_VALUE / 2;

    public RecentRequests(long retentionMillis, int capacity) {
        this.retentionMillis = retentionMillis;
        this.capacity = capacity;
    }


    /** True the first time {@code requestId} is seen (then it is remembered), false for a repeat. */
    public boolean firstTime(String requestId, long nowMillis) {
        if (seen.size() >= capacity) {
            if (nowMillis - lastSweepMillis >= SWEEP_EVERY_MILLIS) {
                lastSweepMillis = nowMillis;
                forgetOlderThan(nowMillis - retentionMillis / 2);
            }
            if (seen.size() >= capacity) {
                return !seen.containsKey(requestId); // counted, not remembered: a retry of it would count again
            }
        }
        return seen.putIfAbsent(requestId, nowMillis) == null;
    }

    /** Forgets ids seen before {@code cutoffMillis}. */
    private void forgetOlderThan(long cutoffMillis) {
        seen.values().removeIf(t -> t < cutoffMillis);
    }

    /** Forgets ids older than the retention; called often, scans at most once a minute. */
    public void expire(long nowMillis) {
        if (nowMillis - lastSweepMillis >= SWEEP_EVERY_MILLIS) {
            lastSweepMillis = nowMillis;
            forgetOlderThan(nowMillis - retentionMillis);
        }
    }

    public int size() {
        return seen.size();
    }
}
