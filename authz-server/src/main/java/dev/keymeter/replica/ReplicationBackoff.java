package dev.keymeter.replica;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * How long the replication client waits before it calls Watch again: a ceiling that starts at
 * {@code initial} and doubles after each failed attempt up to {@code max}, and a delay drawn
 * uniformly between half the ceiling and the ceiling ("equal jitter"). The jitter spreads sidecars
 * that lost the control plane at the same moment, so they do not all come back in the same
 * millisecond; the half that is not random keeps a flapping control plane from being hammered.
 *
 * <p>Not thread-safe: the client uses it on its one thread.
 */
public final class ReplicationBackoff {

    public static final Duration DEFAULT_INITIAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX = Duration.ofSeconds(10);

    private final long initialNanos;
    private final long maxNanos;
    private final RandomGenerator random;
    private long ceilingNanos;

    public ReplicationBackoff(Duration initial, Duration max, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.random = java.util.Objects.requireNonNull(random, "random");
        this.ceilingNanos = initialNanos;
    }

    /** 100 ms doubling to 10 s. */
    public static ReplicationBackoff defaults() {
        return new ReplicationBackoff(DEFAULT_INITIAL, DEFAULT_MAX, new SplittableRandom());
    }

    /** The delay before the next attempt; raises the ceiling for the one after. */
    public Duration next() {
        long ceiling = ceilingNanos;
        ceilingNanos = Math.min(maxNanos, ceiling > maxNanos / 2 ? maxNanos : ceiling * 2);
        long half = ceiling / 2;
        return Duration.ofNanos(half + random.nextLong(ceiling - half + 1));
    }

    /** A stream got in sync: the next failure starts from {@code initial} again. */
    public void reset() {
        ceilingNanos = initialNanos;
    }
}
