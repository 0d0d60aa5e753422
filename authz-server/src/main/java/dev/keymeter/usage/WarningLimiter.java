package dev.keymeter.usage;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one warning line per interval, whatever the number of threads: a client sending garbage
 * must not turn into a flood of log I/O. Lines over the budget are counted; the next line written
 * reports how many were left out.
 *
 * <p>{@code nextAllowed} is the earliest time the next line may be written. A thread that sees the
 * time reached claims the line with a CAS from the value it read; losing the CAS means another thread
 * just claimed it, so this one is suppressed. Thread-safe, lock-free.
 */
public final class WarningLimiter {

    /** {@link #tryLine()}'s answer when the line must not be written. */
    public static final long SUPPRESSED = -1;

    private final long intervalMillis;
    private final LongSupplier nowMillis;
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public WarningLimiter(long intervalMillis, LongSupplier nowMillis) {
        if (intervalMillis < 1) {
            throw new IllegalArgumentException("intervalMillis must be ≥ 1, was " + intervalMillis);
        }
        this.intervalMillis = intervalMillis;
        this.nowMillis = nowMillis;
    }

    /**
     * Claims the next line.
     *
     * @return {@link #SUPPRESSED} when a line was written less than an interval ago (this one is
     *     counted), otherwise the number of lines left out since the last one written
     */
    public long tryLine() {
        long now = nowMillis.getAsLong();
        long next = nextAllowed.get();
        if (now >= next && nextAllowed.compareAndSet(next, now + intervalMillis)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return SUPPRESSED;
    }
}
