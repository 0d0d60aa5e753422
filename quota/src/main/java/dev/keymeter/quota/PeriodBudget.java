package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import java.util.Objects;

/**
 * A token or cost (micro-USD) budget for one key over a {@link ResetPeriod}, with reservations,
 * lock-free, over {@link CounterCells}.
 *
 * <h2>Layout (cells {@code base}, {@code base + 1})</h2>
 * Both cells pack {@code (periodIndex << 44) | amount}: the {@link ResetPeriod#indexAt period number}
 * in the top 20 bits (daily periods last until year 4840) and an amount of 44 bits (saturating at
 * {@link #MAX_AMOUNT}, 17.6 M USD in micro-USD).
 * <ul>
 *   <li>{@code base}: the <b>commit word</b> — the period and {@code committed = used + reserved}.
 *       It alone decides admissions and resets; every change to the budget is one CAS on it.</li>
 *   <li>{@code base + 1}: the <b>reservation word</b> — the period and the outstanding
 *       reservations, kept for display only: it is updated after the commit word, so
 *       {@code used = committed - reserved} may be off by in-flight amounts for a moment. The
 *       decision and {@code remaining} never read it.</li>
 * </ul>
 *
 * <h2>Resets: exactly once per boundary, no update lost</h2>
 * The period lives in the same word as the amount. An operation whose period is newer than the
 * stored one replaces {@code (old, committed)} by {@code (new, 0 + its own change)} in one CAS, so
 * the reset and the first update of the new period are one atomic step. Of the threads crossing a
 * boundary together exactly one CAS from the old period succeeds; the others fail, re-read, see the
 * new period and apply their change on top: nothing charged to the new period is ever wiped. The
 * stored period never goes back: an operation whose clock is behind it is applied to the stored
 * (current) period — a late add is charged, never dropped.
 *
 * <h2>Admission</h2>
 * {@code tryReserve(now, e, limit)} admits iff {@code committed < limit} and
 * {@code committed + e <= limit}, and then adds {@code e}: the sum of admitted reservations in a
 * period never passes the limit. With {@code e = 0} (no estimate) it admits while
 * {@code committed < limit}; usage arrives later through {@link #settle} or {@link #add}, so the
 * overshoot is bounded by the actual usage of the requests admitted before the limit was seen to
 * be reached (those in flight), plus, with estimates, each in-flight request's actual minus its
 * estimate.
 *
 * <h2>Settling</h2>
 * {@link #settle} replaces a reservation by the actual amount in the same CAS. If the reservation
 * was made in an earlier period, that period's counters (the reservation included) were already
 * reset: the actual is charged to the current period and the stale reservation is simply dropped.
 *
 * <h2>Orderings and retries</h2>
 * Relies only on the volatile semantics of {@link CounterCells}. Every change is a read followed by
 * a CAS on the commit word whose new value is computed from the value read; a failed CAS means
 * another thread changed it first and nothing of ours was published, so the loop recomputes from a
 * fresh read (lock-free). The period never decreases and amounts are paired with it, so an equal
 * word means an unchanged budget. Checked by {@code PeriodBudgetLincheckTest} and
 * {@code PeriodBudgetConcurrencyTest}.
 *
 * <p>If a key's reset period is edited, start from zeroed cells: period numbers of different
 * {@link ResetPeriod}s are not comparable.
 */
public final class PeriodBudget {

    /** Cells one budget occupies. */
    public static final int CELLS = 2;
    /** The largest amount a counter holds; limits and amounts must not exceed it. */
    public static final long MAX_AMOUNT = (1L << 44) - 1;

    private static final int AMOUNT_BITS = 44;
    private static final long MAX_PERIOD_INDEX = (1L << 20) - 1;

    private final CounterCells cells;
    private final int commit;
    private final int reservation;
    private final ResetPeriod period;

    /** A budget on cells {@code base} and {@code base + 1}, which start at zero for a new key. */
    public PeriodBudget(CounterCells cells, int base, ResetPeriod period) {
        this.cells = Objects.requireNonNull(cells, "cells");
        this.period = Objects.requireNonNull(period, "period");
        if (base < 0 || base > cells.size() - CELLS) {
            throw new IllegalArgumentException("base " + base + " leaves no room for " + CELLS + " cells in " + cells.size());
        }
        this.commit = base;
        this.reservation = base + 1;
    }

    /** True when {@code other} works on the same cells, at the same place, with the same period. */
    public boolean sameCounter(PeriodBudget other) {
        return other != null && other.cells == cells && other.commit == commit && other.period == period;
    }

    /** Reserves {@code estimate} (0 when there is none) if the budget allows it; see the class comment. */
    public BudgetProbe tryReserve(long nowMillis, long estimate, long limit) {
        checkAmount(estimate, "estimate");
        checkAmount(limit, "limit");
        long p = indexAt(nowMillis);
        while (true) {
            long w = cells.getVolatile(commit);
            long cp = Math.max(p, w >>> AMOUNT_BITS);
            long committed = cp == (w >>> AMOUNT_BITS) ? w & MAX_AMOUNT : 0;
            if (committed >= limit || committed + estimate > limit) {
                return probe(false, 0, cp, committed, limit);
            }
            long next = pack(cp, committed + estimate);
            if (next == w || cells.compareAndSet(commit, w, next)) {
                if (estimate > 0) {
                    addReserved(cp, estimate);
                }
                return probe(true, estimate, cp, committed + estimate, limit);
            }
        }
    }

    /** Settles a reservation returned by {@link #tryReserve} with the {@code actual} amount used. */
    public void settle(long nowMillis, BudgetProbe reservation, long actual) {
        Objects.requireNonNull(reservation, "reservation");
        if (!reservation.admitted()) {
            throw new IllegalArgumentException("reservation was not admitted");
        }
        settle(nowMillis, reservation.estimate(), reservation.periodStartMillis(), actual);
    }

    /**
     * Settles a reservation of {@code reserved} made in the period starting at
     * {@code reservedPeriodStartMillis}: in the same period it is replaced by {@code actual}; made in
     * an earlier period (already reset) it is dropped and {@code actual} is charged to the current one.
     */
    public void settle(long nowMillis, long reserved, long reservedPeriodStartMillis, long actual) {
        checkAmount(reserved, "reserved");
        checkAmount(actual, "actual");
        long rp = indexAt(reservedPeriodStartMillis);
        long p = indexAt(nowMillis);
        while (true) {
            long w = cells.getVolatile(commit);
            long wp = w >>> AMOUNT_BITS;
            long cp = Math.max(p, wp);
            long committed = cp == wp ? w & MAX_AMOUNT : 0;
            boolean live = cp == rp;
            long next = pack(cp, saturate(committed + actual - (live ? reserved : 0)));
            if (next == w || cells.compareAndSet(commit, w, next)) {
                if (live && reserved > 0) {
                    addReserved(rp, -reserved);
                }
                return;
            }
        }
    }

    /** Charges {@code amount} (usage without a reservation) to the current period. */
    public void add(long nowMillis, long amount) {
        settle(nowMillis, 0, nowMillis, amount);
    }

    /** The current period's usage as it stands at {@code nowMillis}; changes nothing. */
    public BudgetUsage snapshot(long nowMillis) {
        long p = indexAt(nowMillis);
        long w = cells.getVolatile(commit);
        long cp = Math.max(p, w >>> AMOUNT_BITS);
        long committed = cp == (w >>> AMOUNT_BITS) ? w & MAX_AMOUNT : 0;
        long reserved = reservedIn(cp, committed);
        return new BudgetUsage(committed - reserved, reserved, period.startMillis(cp), period.startMillis(cp + 1));
    }

    private BudgetProbe probe(boolean admitted, long estimate, long cp, long committed, long limit) {
        long reserved = reservedIn(cp, committed);
        return new BudgetProbe(admitted, estimate, committed - reserved, reserved,
                Math.max(0, limit - committed), limit, period.startMillis(cp), period.startMillis(cp + 1));
    }

    private long reservedIn(long cp, long committed) {
        long r = cells.getVolatile(reservation);
        return (r >>> AMOUNT_BITS) == cp ? Math.min(r & MAX_AMOUNT, committed) : 0;
    }

    /** Display-only bookkeeping of outstanding reservations; see the class comment. */
    private void addReserved(long cp, long delta) {
        while (true) {
            long r = cells.getVolatile(reservation);
            long rp = r >>> AMOUNT_BITS;
            if (rp > cp) {
                return; // the period moved on: this reservation was reset with it
            }
            long current = rp == cp ? r & MAX_AMOUNT : 0;
            if (cells.compareAndSet(reservation, r, pack(cp, saturate(current + delta)))) {
                return;
            }
        }
    }

    private long indexAt(long nowMillis) {
        long index = period.indexAt(nowMillis);
        if (index > MAX_PERIOD_INDEX) {
            throw new IllegalArgumentException("nowMillis too far in the future: " + nowMillis);
        }
        return index;
    }

    private static long pack(long periodIndex, long amount) {
        return (periodIndex << AMOUNT_BITS) | amount;
    }

    private static long saturate(long amount) {
        return Math.max(0, Math.min(MAX_AMOUNT, amount));
    }

    private static void checkAmount(long amount, String name) {
        if (amount < 0 || amount > MAX_AMOUNT) {
            throw new IllegalArgumentException(name + " must be in [0, " + MAX_AMOUNT + "]: " + amount);
        }
    }
}
