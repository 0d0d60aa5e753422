package dev.keymeter.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each key's usage over the last 24 hours in fixed buckets, for the usage overview's chart, built
 * from the increases of the figures sidecars report ({@link UsageIncrease}, fed by {@link UsageBoard}).
 *
 * <p><b>Buckets of 15 minutes</b>, aligned to UTC quarter hours: 96 points draw a day's shape (the
 * morning ramp, a lunch dip, a batch job at night) where hourly buckets would flatten it, and a
 * bucket is much longer than the sidecars' report interval (5 s, every key at least once a minute),
 * so each bucket is complete and a report's increase lands in one bucket (the one of its
 * {@code as_of_time}): usage between two reports that straddle a boundary counts in the later bucket.
 * Finer buckets would cost memory per key for detail a 24-hour chart cannot show.
 *
 * <p><b>What is lost.</b> The history lives in this control plane's memory only: a restart starts
 * it empty, and replicas on a shared store each build their own from the reports they receive (a
 * sidecar reports to the one it follows). The first report of a (key, sidecar) pair on the board
 * only sets the baseline and adds nothing, since its cumulative figures may hold what was counted
 * before (before this control plane started, or under another sidecar id after a restart with its
 * persisted counters): counted, they would pile a whole period into one bucket. So a sidecar's usage
 * of a key up to its first report here (a few seconds for a new key) is missing.
 *
 * <p><b>Bounded.</b> At most {@code maxKeys} keys ({@code --usage-history-max-keys}), each a fixed
 * ring (about 2.3 KB; 46 MB at the default bound of 20,000). When full,
 * keys with nothing in the last 24 hours are dropped (a scan at most every 10 s), and a new key that
 * still does not fit gets no history ({@link #refused}). Keys held keep being updated.
 */
public final class UsageHistory {

    public static final Duration BUCKET = Duration.ofMinutes(15);
    public static final int BUCKETS = 96;
    private static final long BUCKET_MILLIS = BUCKET.toMillis();
    private static final long PRUNE_EVERY_MILLIS = 10_000;

    /** One bucket as the overview shows it. */
    public record Sample(Instant start, long requests, long tokens, long costMicroUsd) {
    }

    private final ConcurrentHashMap<String, KeyHistory> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger keys = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final Clock clock;
    private final int maxKeys;
    private volatile long lastPruneMillis = Long.MIN_VALUE / 2;

    public UsageHistory(Clock clock, int maxKeys) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
        }
        this.maxKeys = maxKeys;
    }

    /**
     * Adds {@code increase} of {@code keyId} to the bucket of {@code at} (a time ahead of this clock
     * counts now); false when it was not recorded (older than 24 hours, or no room for a new key).
     */
    public boolean add(String keyId, Instant at, UsageIncrease increase) {
        if (increase.isZero()) {
            return true;
        }
        long now = clock.millis();
        long bucket = Math.floorDiv(Math.min(at.toEpochMilli(), now), BUCKET_MILLIS);
        if (bucket <= Math.floorDiv(now, BUCKET_MILLIS) - BUCKETS) {
            return false;
        }
        KeyHistory history = byKey.get(keyId);
        if (history == null) {
            history = admit(keyId, now);
            if (history == null) {
                refused.incrementAndGet();
                return false;
            }
        }
        return history.add(bucket, increase);
    }

    /** The last 24 hours of {@code keyId} at {@code now}: {@link #BUCKETS} samples, oldest first, ending with now's. */
    public List<Sample> samples(String keyId, Instant now) {
        long current = Math.floorDiv(now.toEpochMilli(), BUCKET_MILLIS);
        KeyHistory history = byKey.get(keyId);
        List<Sample> out = new ArrayList<>(BUCKETS);
        for (long b = current - BUCKETS + 1; b <= current; b++) {
            long[] a = history == null ? new long[3] : history.amounts(b);
            out.add(new Sample(Instant.ofEpochMilli(b * BUCKET_MILLIS), a[0], a[1], a[2]));
        }
        return out;
    }

    /** Keys held. */
    public int keys() {
        return keys.get();
    }

    /** Increases not recorded because there was no room for their key, since start. */
    public long refused() {
        return refused.get();
    }

    private KeyHistory admit(String keyId, long now) {
        if (keys.get() >= maxKeys) {
            pruneIdle(now);
            if (keys.get() >= maxKeys) {
                return null;
            }
        }
        boolean[] created = {false};
        KeyHistory history = byKey.computeIfAbsent(keyId, k -> {
            created[0] = true;
            return new KeyHistory();
        });
        if (created[0]) {
            keys.incrementAndGet();
        }
        return history;
    }

    /** Drops keys whose newest bucket has left the window; at most once per 10 s (it scans every key). */
    private void pruneIdle(long now) {
        if (now - lastPruneMillis < PRUNE_EVERY_MILLIS) {
            return;
        }
        lastPruneMillis = now;
        long oldestKept = Math.floorDiv(now, BUCKET_MILLIS) - BUCKETS + 1;
        for (Map.Entry<String, KeyHistory> e : byKey.entrySet()) {
            if (e.getValue().newest() < oldestKept && byKey.remove(e.getKey(), e.getValue())) {
                keys.decrementAndGet();
            }
        }
    }
}
