package dev.keymeter.quota;

import java.util.Objects;

/**
 * Requests per rolling 60-second window for one key, lock-free, over {@link CounterCells}.
 *
 * <h2>Layout (cells {@code base .. base + 62})</h2>
 * Every cell packs {@code (epochSecond << 32) | count}: the second as an unsigned 32-bit number
 * (valid until 2106) and a 32-bit count. Packed words of the same second order like their counts,
 * and the unsigned order of packed words is the lexicographic order of (second, count).
 * <ul>
 *   <li>{@code base}: the <b>head</b> — the second of the latest admission and the admissions
 *       counted in it so far. Every admission is one CAS on this word.</li>
 *   <li>{@code base + 1 + (s mod 61)}: the <b>slot</b> of a past second {@code s}: its final count,
 *       written back once the head moves past {@code s}. A slot holding another second is ignored.</li>
 *   <li>{@code base + 62}: the <b>closed sum</b> — {@code (h << 32) | sum}, the admissions of the 60
 *       seconds before second {@code h}, a cache that spares the same-second path the 60 slot reads.</li>
 * </ul>
 *
 * <h2>Algorithm</h2>
 * The head is always the second of the latest admission and its count. A call at second {@code s}
 * reads the head {@code (h, c)} and takes the window's clock {@code t = max(s, h)}: a caller whose
 * clock is behind the latest admission is treated as calling at h, so the clock never goes back. It
 * counts the seconds {@code t-60 .. t}: the slots of seconds {@code t-60 .. h-1} plus {@code c} if
 * {@code h >= t-60}. Below the limit it admits with one CAS of the head: to {@code (h, c + 1)} when
 * {@code t == h}; to {@code (t, 1)} when {@code t > h}, after first writing {@code (h, c)} into h's
 * slot (a monotone CAS loop: the slot only moves up in unsigned order, so a slow thread holding an
 * older count of h can never lower it). At or above the limit it re-reads the head and refuses if
 * the head is still at second h (otherwise it starts over). A refusal changes nothing.
 *
 * <h2>Why it is exact (safety)</h2>
 * While the head is at second h, the slots of seconds {@code h-60 .. h-1} hold their final counts
 * and do not change: the count of h only grows while the head stays at h, the head leaves h only by
 * a CAS that expects the word it wrote back, so h's slot holds that final word before any reader
 * sees a newer head; seconds skipped by the head had no admissions; and a slot of that range is
 * next overwritten by the write-back of a second {@code >= h+1} (61 slots), which happens only
 * after the head has left h. The head's second never decreases, so an unchanged head word means an
 * unchanged window between the read and the CAS (no ABA). Hence every decision is linearizable —
 * at the head CAS (admission) or at the head read (refusal) — against an exact count of the 61
 * whole seconds {@code t-60 .. t}, and the seconds of admissions grow in linearization order.
 * Any 60 s interval {@code [x, x + 60 000)} touches at most 61 consecutive whole seconds, and the
 * admission that comes last among those in it counted all the others, so no 60 s interval of the
 * window's clock holds more than {@code limit} admissions, whatever the number of threads.
 *
 * <h2>The closed-sum cache</h2>
 * While the head is at second h, the admissions of seconds {@code h-60 .. h-1} are a fixed number
 * (their slots are final, see above), so a caller at {@code t == h} counts {@code closedSum(h) + c}.
 * The closed-sum cell holds that number tagged with h; a caller that finds another tag computes it
 * from the slots and publishes it with a monotone CAS (the tag only moves up, so a slow thread never
 * replaces a newer sum by an older one); the thread whose CAS moves the head to a new second
 * publishes the new second's sum, which it has just computed. A sum computed after the head already
 * left h may miss overwritten slots and be too low — but it is only ever used by a caller that read
 * the head at h, and such a caller's decision takes effect only if the head is still at h: its
 * admission CAS expects the head word it read, and its refusal re-reads the head. Neither can succeed
 * once the head has moved, so a stale sum costs a retry, never a wrong decision; a sum computed while
 * the head is at h is exact. The cache changes no argument below.
 *
 * <h2>Liveness</h2>
 * A request is refused only when the seconds {@code t-60 .. t} already hold {@code limit}
 * admissions, i.e. only when the last 60 s, widened to whole seconds (at most 1 s more), were full.
 * {@link RateProbe#resetAfterMillis} is the start of the first second at which that stops;
 * {@link RateProbe#emptyAfterMillis} the start of the second at which the newest admission (the
 * head's second) leaves, after which the window counts nothing.
 *
 * <h2>Orderings and retries</h2>
 * It relies only on the volatile (sequentially consistent) semantics of {@link CounterCells}: a slot
 * write-back is ordered before the head CAS that leaves its second, so whoever reads that new head
 * then reads the final slot. A failed CAS means another thread changed the word — counted an
 * admission, advanced the head, or wrote back a slot — and nothing of ours was published, so the
 * loop starts over from a fresh read; some thread succeeded each time (lock-free, not wait-free).
 * Checked by {@code RollingWindowLincheckTest} (model checking, linearizability against the
 * sequential run of this class) and {@code RollingWindowConcurrencyTest} (exact counts).
 */
public final class RollingWindow {

    /** Slots for past seconds: 60 past seconds plus the one being overwritten. */
    public static final int SLOTS = 61;
    /** Cells one window occupies: the head, the slots, the closed sum. */
    public static final int CELLS = SLOTS + 2;
    /** The largest limit (counts are 32 bits). */
    public static final long MAX_LIMIT = 0xFFFF_FFFEL;

    private static final long COUNT_MASK = 0xFFFF_FFFFL;
    private static final long MAX_SECOND = 0xFFFF_FFFFL;

    private final CounterCells cells;
    private final int base;
    private final int closedSum;

    /** A window on cells {@code base .. base + CELLS - 1}, which start at zero for a new key. */
    public RollingWindow(CounterCells cells, int base) {
        this.cells = Objects.requireNonNull(cells, "cells");
        if (base < 0 || base > cells.size() - CELLS) {
            throw new IllegalArgumentException("base " + base + " leaves no room for " + CELLS + " cells in " + cells.size());
        }
        this.base = base;
        this.closedSum = base + SLOTS + 1;
    }

    /** True when {@code other} counts on the same cells at the same place. */
    public boolean sameCounter(RollingWindow other) {
        return other != null && other.cells == cells && other.base == base;
    }

    /** Counts one request at {@code nowMillis} if fewer than {@code limit} were counted in the window. */
    public RateProbe tryAcquire(long nowMillis, long limit) {
        long second = secondOf(nowMillis);
        if (limit < 0 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in [0, " + MAX_LIMIT + "]: " + limit);
        }
        while (true) {
            long head = cells.getVolatile(base);
            long h = head >>> 32;
            long c = head & COUNT_MASK;
            long clock = Math.max(second, h);
            long used = clock == h ? closedSumOf(h) + c : usedAt(clock, h, c);
            if (used < limit) {
                if (clock > h) {
                    writeBack(h, head);
                }
                long next = clock > h ? (clock << 32) | 1 : head + 1;
                if (cells.compareAndSet(base, head, next)) {
                    if (clock > h) {
                        // usedAt(clock, h, c) counted exactly the seconds clock-60 .. clock-1.
                        publishClosedSum(clock, used);
                    }
                    long remaining = limit - used - 1;
                    long resetAfter = remaining > 0 ? 0 : resetAfter(nowMillis, clock, next, used + 1, limit);
                    return new RateProbe(true, remaining, limit, resetAfter, leavesAt(clock) - nowMillis);
                }
                continue;
            }
            long resetAfter = resetAfter(nowMillis, clock, head, used, limit);
            // used > 0 means the head's second h, the newest admission, is still in the window.
            long emptyAfter = used == 0 ? 0 : Math.max(0, leavesAt(h) - nowMillis);
            if (cells.getVolatile(base) >>> 32 == h) {
                return new RateProbe(false, 0, limit, resetAfter, emptyAfter);
            }
        }
    }

    /** Admissions counted in the window as it stands at {@code nowMillis}; changes nothing. */
    public long peek(long nowMillis) {
        long second = secondOf(nowMillis);
        while (true) {
            long head = cells.getVolatile(base);
            long h = head >>> 32;
            long used = usedAt(Math.max(second, h), h, head & COUNT_MASK);
            if (cells.getVolatile(base) >>> 32 == h) {
                return used;
            }
        }
    }

    /**
     * This window's admissions per second, for a fleet sync ({@link FleetRate}): fills
     * {@code out[i]} (length {@link #SLOTS}) with the count of second {@code t - 60 + i}, where
     * {@code t} — returned — is the window's clock at {@code nowMillis}. Each count is exact for
     * its second as of one moment (a second before the head's is final; the head's may grow after),
     * so counts pushed by successive calls only grow. Changes nothing.
     */
    public long secondCounts(long nowMillis, long[] out) {
        if (out.length != SLOTS) {
            throw new IllegalArgumentException("out must have " + SLOTS + " elements, has " + out.length);
        }
        long second = secondOf(nowMillis);
        while (true) {
            long head = cells.getVolatile(base);
            long h = head >>> 32;
            long clock = Math.max(second, h);
            for (int i = 0; i < SLOTS; i++) {
                long s = clock - 60 + i;
                out[i] = s < 0 || s > h ? 0 : s == h ? head & COUNT_MASK : countIn(s);
            }
            if (cells.getVolatile(base) >>> 32 == h) {
                return clock;
            }
        }
    }

    /** The admissions of seconds {@code h-60 .. h-1}: cached, or summed from the slots and cached. */
    private long closedSumOf(long h) {
        long w = cells.getVolatile(closedSum);
        if (w >>> 32 == h) {
            return w & COUNT_MASK;
        }
        long sum = 0;
        for (long s = Math.max(h - 60, 0); s < h; s++) {
            sum += countIn(s);
        }
        publishClosedSum(h, sum);
        return sum;
    }

    /** Stores {@code (h, sum)} unless the cell already holds a second ≥ h (monotone). */
    private void publishClosedSum(long h, long sum) {
        long current = cells.getVolatile(closedSum);
        while (current >>> 32 < h && !cells.compareAndSet(closedSum, current, (h << 32) | sum)) {
            current = cells.getVolatile(closedSum);
        }
    }

    /** Admissions in seconds {@code clock-60 .. clock} when the head is {@code (h, c)}, {@code clock >= h}. */
    private long usedAt(long clock, long h, long c) {
        long sum = h >= clock - 60 ? c : 0;
        for (long s = Math.max(clock - 60, 0); s < h; s++) {
            sum += countIn(s);
        }
        return sum;
    }

    private static long secondOf(long nowMillis) {
        long second = nowMillis / 1000;
        if (nowMillis < 0 || second > MAX_SECOND) {
            throw new IllegalArgumentException("nowMillis out of range: " + nowMillis);
        }
        return second;
    }

    /**
     * Publishes second h's final count (the head word {@code head}) into h's slot before the head
     * leaves h. Monotone: the slot only moves up in unsigned order, so a slow thread holding an
     * older count of h can never lower it.
     */
    private void writeBack(long h, long head) {
        if ((head & COUNT_MASK) == 0) {
            return;
        }
        int slot = slotIndex(h);
        long current = cells.getVolatile(slot);
        while (Long.compareUnsigned(current, head) < 0 && !cells.compareAndSet(slot, current, head)) {
            current = cells.getVolatile(slot);
        }
    }

    /** The millisecond at which second {@code s} stops being counted (the window's clock reaches s + 61). */
    private static long leavesAt(long s) {
        return (s + SLOTS) * 1000;
    }

    private long countIn(long second) {
        long v = cells.getVolatile(slotIndex(second));
        return (v >>> 32) == second ? v & COUNT_MASK : 0;
    }

    /**
     * Milliseconds from {@code nowMillis} until the window at second {@code clock}, holding
     * {@code used} with the head {@code head}, has a free permit: the first second clock+k at which
     * the seconds that left the window bring the count below the limit.
     */
    private long resetAfter(long nowMillis, long clock, long head, long used, long limit) {
        if (limit == 0) {
            return Long.MAX_VALUE;
        }
        long h = head >>> 32;
        long left = used;
        long k = 1;
        for (; k <= SLOTS; k++) {
            long leaving = clock - SLOTS + k;
            left -= leaving == h ? head & COUNT_MASK : (leaving >= 0 && leaving < h ? countIn(leaving) : 0);
            if (left < limit) {
                break;
            }
        }
        return Math.max(0, (clock + k) * 1000 - nowMillis);
    }

    private int slotIndex(long second) {
        return base + 1 + (int) (second % SLOTS);
    }
}
