package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One key's token or cost budget as one sidecar of a fleet holds it: the <b>allotment</b> the fleet
 * granted this sidecar for the current period (a lease, as in Google's Doorman). The key's own
 * {@link PeriodBudget} still counts what this sidecar committed (used + reserved) and still decides
 * each request, lock-free; it is asked with the allotment as its limit instead of the key's, so a
 * request is admitted only while {@code committed + estimate ≤ allotment}. {@link FleetSync} syncs the
 * allotment with the {@link FleetStore}: it reports what this sidecar committed, says how much of its
 * allotment it keeps and how much more it wants, and receives its new allotment, which the store
 * takes out of {@code L − Σ (the other sidecars' max(committed, allotment))} — so the allotments of
 * a period never add up to more than L, and the fleet's usage passes L only by what settled requests
 * used beyond their estimates (usage arrives after the decision).
 *
 * <h2>Before the first allotment of a period</h2>
 * A sidecar that holds no allotment for the current period admits one request (its committed must
 * be 0: {@code limit = max(estimate, 1)}) and asks for an allotment at its next tick. So the first
 * request of a key on each sidecar is not refused for want of a sync; the price is a stated
 * overshoot of at most one estimate per sidecar and period.
 *
 * <h2>Words and orderings</h2>
 * {@code grant} packs {@code (period index + 1) << 44 | allotment} (0: none) in one volatile long, so
 * a reader sees a period and its allotment together. Only the key's one sync writes it
 * ({@link #startSync} guards that), so plain volatile writes suffice. It normally only grows within a
 * period; it shrinks when an idle sidecar releases what it does not use, or when an answer after an
 * outage grants less than was held. A request that read the larger allotment before a shrink may
 * commit past it after the sync has read the committed amount; so every admitted request re-reads the
 * allotment after its reservation ({@link #fits}) and gives the reservation back if it no longer
 * fits. Volatile accesses are sequentially consistent: either the request's reservation came before
 * the sync's read of the committed amount (the sync reports it), or the request's re-read comes after
 * the sync's write of the smaller allotment (the request sees it). No admission escapes both.
 * Checked by {@code FleetBudgetConcurrencyTest} and the simulator {@code FleetBudgetSimulationTest}.
 */
public final class FleetBudget {

    /** Which budget of a key: its tokens or its cost (micro-USD). */
    public enum Kind {
        TOKENS("tok"), COST("usd");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        /** The short name in the store's key names and in metric labels. */
        public String tag() {
            return tag;
        }
    }

    /** A key that had no request for this long gives back the part of its allotment it does not use. */
    static final long IDLE_RELEASE_MILLIS = 10_000;
    /** An active key holding an allotment syncs at least this often, to refresh its view of the fleet. */
    static final long REFRESH_MILLIS = 5_000;
    /** How long the store counts a sidecar's allotment after its last sync: a crashed sidecar's lapses then. */
    public static final long LEASE_MILLIS = 300_000;
    /** A key idle this long gives back all it does not use (not one request's worth): then it can be forgotten. */
    static final long FORGET_MILLIS = 3_600_000;
    /** The least a sidecar asks for, as a fraction of the limit ({@code L / (64·N)}): a cold key's first ask. */
    static final int MIN_WANT_DIVISOR = 64;

    private static final int AMOUNT_BITS = 44;
    private static final long AMOUNT_MASK = PeriodBudget.MAX_AMOUNT;

    private final String keyId;
    private final long epoch;
    private final Kind kind;
    private final ResetPeriod period;
    private final AtomicBoolean syncing = new AtomicBoolean();
    private volatile PeriodBudget local;
    private volatile long limit;
    private volatile long grant;
    /** A request found no room, or usage was settled: sync at the next tick. */
    private volatile boolean wanted = true;
    private volatile long lastUsedMillis;
    private volatile long largestEstimate;
    private volatile long lastAttemptMillis = Long.MIN_VALUE / 2;
    private volatile long lastAnswerMillis = Long.MIN_VALUE / 2;
    /** As of the last answer: the fleet's committed (allotments included) and used amounts, this sidecar's included. */
    private volatile long fleetCommitted;
    private volatile long fleetUsed;
    private volatile long usedAtLastAnswer;
    /** Written and read only by the key's one sync. */
    private long seq;
    private boolean outageShareTaken;

    FleetBudget(String keyId, long epoch, Kind kind, ResetPeriod period, long limit, PeriodBudget local, long nowMillis) {
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        this.epoch = epoch;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.period = Objects.requireNonNull(period, "period");
        this.limit = limit;
        this.local = Objects.requireNonNull(local, "local");
        this.lastUsedMillis = nowMillis;
    }

    public String keyId() {
        return keyId;
    }

    public long epoch() {
        return epoch;
    }

    public Kind kind() {
        return kind;
    }

    public ResetPeriod period() {
        return period;
    }

    public long limit() {
        return limit;
    }

    /**
     * The limit the key's local {@link PeriodBudget} applies to a request with {@code estimate} at
     * {@code nowMillis}: this sidecar's allotment, or, without one for the period, room for one
     * request (see the class comment). Notes the request for the sync's sizing.
     */
    public long limitFor(long nowMillis, long estimate) {
        if (estimate > largestEstimate) {
            largestEstimate = Math.min(estimate, limit);
        }
        long held = allotmentIn(period.indexAt(nowMillis));
        if (held < 0) {
            wanted = true;
            return Math.min(limit, Math.max(estimate, 1));
        }
        return held;
    }

    /**
     * True when an admission that brought this sidecar's committed amount to {@code committedAfter}
     * still fits the allotment as it is now (see the class comment); false: give the reservation back
     * and refuse.
     */
    public boolean fits(long nowMillis, long committedAfter, long estimate) {
        long held = allotmentIn(period.indexAt(nowMillis));
        boolean ok = held < 0 ? committedAfter <= Math.max(estimate, 1) : committedAfter <= held;
        if (!ok) {
            wanted = true;
        }
        return ok;
    }

    /** A request was refused for want of allotment: ask for more at the next tick. */
    public void refused() {
        wanted = true;
    }

    /** Usage of the key was settled or charged here: report it at the next tick. */
    public void changed() {
        wanted = true;
    }

    /**
     * The fleet's remaining amount as this sidecar sees it: the limit minus the fleet's usage at the
     * last answer and what this sidecar committed since. The limit minus this sidecar's own committed
     * amount before the first answer.
     */
    public long fleetRemaining(long nowMillis) {
        return fleetRemainingGiven(local.snapshot(nowMillis).committed());
    }

    /** {@link #fleetRemaining(long)} with this sidecar's committed amount as the caller just read it. */
    public long fleetRemainingGiven(long committedHere) {
        long committed = committedHere;
        if (lastAnswerMillis < 0) {
            return Math.max(0, limit - committed);
        }
        return Math.max(0, limit - fleetUsed - Math.max(0, committed - usedAtLastAnswer));
    }

    /** Allotment held but not committed: capacity the rest of the fleet cannot use (for metrics). */
    public long stranded(long nowMillis) {
        long held = allotmentIn(period.indexAt(nowMillis));
        return held < 0 ? 0 : Math.max(0, held - local.snapshot(nowMillis).committed());
    }

    /** The fleet's used amount (Σ over sidecars, as each last reported it) in the last answer; 0 before one. */
    public long fleetUsedAtLastAnswer() {
        return fleetUsed;
    }

    /** How far the fleet's usage exceeded the limit at the last answer (0: not at all). */
    public long overshoot() {
        return Math.max(0, fleetUsed - limit);
    }

    /** The allotment held for period {@code index}, or −1 when none is. */
    long allotmentIn(long index) {
        long g = grant;
        return g != 0 && (g >>> AMOUNT_BITS) == index + 1 ? g & AMOUNT_MASK : -1;
    }

    long lastUsedMillis() {
        return lastUsedMillis;
    }

    long lastAnswerMillis() {
        return lastAnswerMillis;
    }

    /** Notes a request at {@code nowMillis} with the key's current limit and local budget (both may change). */
    void used(long nowMillis, long currentLimit, PeriodBudget currentLocal) {
        if (lastUsedMillis != nowMillis) {
            lastUsedMillis = nowMillis;
        }
        if (limit != currentLimit) {
            limit = currentLimit;
        }
        if (local != currentLocal && !local.sameCounter(currentLocal)) {
            local = currentLocal; // a new counter (new cells); the same one seen through a new object needs no write
        }
    }

    /**
     * True when a sync is due at {@code nowMillis}: at most every {@code minIntervalMillis}, when a
     * request found no room or usage changed, when the allotment runs low (less than half of what a
     * sync would ask for), every {@link #REFRESH_MILLIS} while the key is active, when an idle key
     * holds more than it would keep (one request's worth; nothing after {@link #FORGET_MILLIS}), and
     * every third of a lease while it holds anything it has not committed (so the lease never lapses
     * under a live sidecar).
     */
    boolean due(long nowMillis, long minIntervalMillis, int sidecars) {
        if (syncing.get() || nowMillis - lastAttemptMillis < minIntervalMillis) {
            return false;
        }
        if (wanted) {
            return true;
        }
        long held = allotmentIn(period.indexAt(nowMillis));
        if (held < 0) {
            return false;
        }
        long headroom = held - local.snapshot(nowMillis).committed();
        if (headroom > 0 && nowMillis - lastAnswerMillis >= LEASE_MILLIS / 3) {
            return true;
        }
        if (nowMillis - lastUsedMillis > IDLE_RELEASE_MILLIS) {
            return headroom > spare(nowMillis, false);
        }
        return 2 * headroom < want(0, sidecars) || nowMillis - lastAnswerMillis >= REFRESH_MILLIS;
    }

    /** Claims the key's one sync at {@code nowMillis}; false when one is on its way. */
    boolean startSync(long nowMillis) {
        if (!syncing.compareAndSet(false, true)) {
            return false;
        }
        lastAttemptMillis = nowMillis;
        return true;
    }

    /** What a sync sends and what it needs to apply the answer. */
    record Capture(long periodIndex, long periodEndMillis, long seq, long used, long keep, long want) {
    }

    /**
     * Decides what this sync keeps and asks for, and reads the committed amount. An idle key first
     * lowers its allotment to what it committed plus one request (the release; {@code releaseAll}:
     * to what it committed, for a sidecar that stops), then reads; see the class comment for why that
     * order needs {@link #fits}.
     */
    Capture capture(long nowMillis, int sidecars, boolean releaseAll) {
        wanted = false;
        long index = period.indexAt(nowMillis);
        long held = allotmentIn(index);
        boolean idle = releaseAll || nowMillis - lastUsedMillis > IDLE_RELEASE_MILLIS;
        if (idle && held >= 0) {
            long lowered = Math.min(held, local.snapshot(nowMillis).committed() + spare(nowMillis, releaseAll));
            if (lowered < held) {
                grant = pack(index, lowered);
                held = lowered;
            }
        }
        long used = local.snapshot(nowMillis).committed();
        long keep = Math.max(0, held);
        long want = idle ? 0 : want(Math.max(0, used - usedAtLastAnswer), sidecars);
        return new Capture(index, period.startMillis(index + 1), ++seq, used, keep, want);
    }

    /** What an idle key keeps beyond its committed amount: one request's worth, nothing once it is to be forgotten. */
    private long spare(long nowMillis, boolean releaseAll) {
        return releaseAll || nowMillis - lastUsedMillis > FORGET_MILLIS ? 0 : largestEstimate;
    }

    /** More room to ask for: enough for 4 ticks at the recent pace, 2 of the largest requests, at least L / (64·N). */
    private long want(long recent, int sidecars) {
        long floor = Math.max(1, limit / (MIN_WANT_DIVISOR * (long) Math.max(1, sidecars)));
        long w = Math.max(floor, Math.max(saturatingTimes(recent, 4), saturatingTimes(largestEstimate, 2)));
        return Math.min(w, limit);
    }

    /**
     * Applies the store's answer to {@code capture}: the new allotment, and the fleet's committed and
     * used amounts. An answer for a period that has ended changes nothing.
     */
    void apply(Capture capture, long allotment, long committedByFleet, long usedByFleet, long nowMillis) {
        try {
            if (period.indexAt(nowMillis) != capture.periodIndex()) {
                return;
            }
            grant = pack(capture.periodIndex(), Math.max(0, Math.min(allotment, AMOUNT_MASK)));
            fleetCommitted = committedByFleet;
            fleetUsed = usedByFleet;
            usedAtLastAnswer = capture.used();
            lastAnswerMillis = nowMillis;
            outageShareTaken = false;
        } finally {
            syncing.set(false);
        }
    }

    /** The sync failed: the allotment stays as it is, and the next tick tries again. */
    void failed() {
        wanted = true;
        syncing.set(false);
    }

    /**
     * While the store is out of reach: once per outage, adds to the allotment an equal share of what
     * the fleet had left at the last answer ({@code ⌊(L − fleet committed) / N⌋}, N last known), so
     * that the sidecars together spend at most what was left. Run by the sync thread only.
     */
    void takeOutageShare(long nowMillis, int sidecars) {
        if (outageShareTaken || !syncing.compareAndSet(false, true)) {
            return;
        }
        try {
            long index = period.indexAt(nowMillis);
            long held = allotmentIn(index);
            if (held < 0 || lastAnswerMillis < 0) {
                return;
            }
            long share = Math.max(0, limit - fleetCommitted) / Math.max(1, sidecars);
            grant = pack(index, Math.min(AMOUNT_MASK, held + share));
            outageShareTaken = true;
        } finally {
            syncing.set(false);
        }
    }

    private static long pack(long index, long amount) {
        return ((index + 1) << AMOUNT_BITS) | amount;
    }

    private static long saturatingTimes(long a, int k) {
        return a > AMOUNT_MASK / k ? AMOUNT_MASK : a * k;
    }
}
