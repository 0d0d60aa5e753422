package dev.keymeter.quota;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One key's requests-per-minute limit as one sidecar of a fleet shares it: the admissions this
 * sidecar may still make before its next sync (its <b>allowance</b>), lock-free on the Check thread.
 * The key's own {@link RollingWindow} still counts every admission of this sidecar (and still
 * refuses past the limit); {@link FleetSync} pushes that window's per-second counts to the
 * {@link FleetStore}, reads the fleet's count G back and sets the allowance to the share
 * {@code ⌊(L − G) / N⌋} (N live sidecars), minus what was admitted while the sync was on its way.
 *
 * <h2>Words and orderings</h2>
 * Two {@link AtomicLong}s, both sequentially consistent (volatile) like every access below:
 * <ul>
 *   <li>{@code allowance} — admissions left. {@link #tryTake} decrements it by CAS only while it is
 *       positive (a failed CAS re-reads and retries: someone else took or a sync changed it, nothing
 *       of ours was published); {@link #settle} gives a permit back when the request was not counted
 *       after all; a sync adds {@code share − a0} in one {@code addAndGet}, where {@code a0} is the
 *       allowance read when the sync captured its counts. Admissions after the capture took
 *       {@code a0 − a} permits, so the result is {@code share − (admissions since the capture)},
 *       whatever decrements race with the add: no update is lost, and none counted twice.</li>
 *   <li>{@code inFlight} — requests between {@link #tryTake} and {@link #settle}: they hold a permit
 *       but the window may not count them yet. A capture reads {@code a0}, then {@code inFlight},
 *       then the window. A request that took its permit before {@code a0} was read either reached
 *       the window before {@code inFlight} was read (so the counts hold it) or had not (so
 *       {@code inFlight} does, since it rose before the permit was taken). The sync subtracts
 *       {@code inFlight} from what remains, so no admission escapes both the fleet count and the
 *       allowance; one can be counted twice, which only shrinks the share.</li>
 * </ul>
 * Checked by {@code FleetRateConcurrencyTest} (many threads taking while syncs apply: exactly
 * {@code share} admissions per sync, none lost) and by the simulator {@code FleetRateSimulationTest}.
 *
 * <p>Only one sync of a key runs at a time ({@link #startSync(long)}); the fields it writes are guarded
 * by that flag.
 */
public final class FleetRate {

    private final String keyId;
    private final long epoch;
    private final AtomicLong allowance;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicBoolean syncing = new AtomicBoolean();
    private volatile RollingWindow window;
    private volatile long limit;
    private volatile long lastUsedMillis;
    private volatile long lastSyncMillis;
    private volatile long lastAttemptMillis = Long.MIN_VALUE / 2;
    private volatile long fleetCount;
    /** The window clock of the last answered sync; written and read only by the key's one sync. */
    private long answeredSecond;
    /** Answered syncs since the last full push or failure (0: the next one pushes every second). */
    private long answeredSyncs;

    /** One sync in this many pushes every second of the window, not just those that may have changed. */
    static final int FULL_PUSH_EVERY = 10;

    /**
     * A key this sidecar has not synced yet: it may admit {@code initialAllowance} (its share of an
     * empty fleet window, {@code ⌊L / N⌋}) until its first sync answers.
     */
    FleetRate(String keyId, long epoch, long limit, long initialAllowance, RollingWindow window, long nowMillis) {
        this.keyId = keyId;
        this.epoch = epoch;
        this.limit = limit;
        this.window = window;
        this.allowance = new AtomicLong(initialAllowance);
        this.lastUsedMillis = nowMillis;
        this.lastSyncMillis = nowMillis; // the initial allowance counts as an answer, until it ages
    }

    public String keyId() {
        return keyId;
    }

    public long epoch() {
        return epoch;
    }

    /**
     * Takes a permit for one request if the allowance has one. A taken permit must be
     * {@link #settle}d once the window has decided (or a budget refused first).
     */
    public boolean tryTake() {
        inFlight.incrementAndGet();
        long a = allowance.get();
        while (a > 0) {
            if (allowance.compareAndSet(a, a - 1)) {
                return true;
            }
            a = allowance.get();
        }
        inFlight.decrementAndGet();
        return false;
    }

    /**
     * Takes a permit whether or not the allowance has one (it may go below zero), for a request
     * admitted under the fallback limit while the key's syncs are not answered: so that a sync whose
     * answer arrives meanwhile still deducts it (see {@link #apply}). {@link #settle} it as well.
     */
    public void takeAnyway() {
        inFlight.incrementAndGet();
        allowance.decrementAndGet();
    }

    /** Ends a taken permit: {@code counted} when the window admitted the request, else the permit returns. */
    public void settle(boolean counted) {
        if (!counted) {
            allowance.incrementAndGet();
        }
        inFlight.decrementAndGet();
    }

    /** Admissions this sidecar may still make before its next sync (0 or less: none). */
    public long allowance() {
        return allowance.get();
    }

    /**
     * True while the last answer (or, before the first sync, the key's creation) is at most
     * {@code maxAgeMillis} old: the allowance may be trusted.
     */
    public boolean fresh(long nowMillis, long maxAgeMillis) {
        return nowMillis - lastSyncMillis <= maxAgeMillis;
    }

    /** The fleet's count at the last sync (this sidecar's included), 0 before the first. */
    public long fleetCount() {
        return fleetCount;
    }

    public long limit() {
        return limit;
    }

    long lastUsedMillis() {
        return lastUsedMillis;
    }

    /** Notes a request at {@code nowMillis} with the key's current limit and window (both may change). */
    void used(long nowMillis, long currentLimit, RollingWindow currentWindow) {
        if (lastUsedMillis != nowMillis) {
            lastUsedMillis = nowMillis;
        }
        if (limit != currentLimit) {
            limit = currentLimit;
        }
        if (window != currentWindow && !window.sameCounter(currentWindow)) {
            window = currentWindow; // new cells; the same ones seen through a new object need no write
        }
    }

    long lastAttemptMillis() {
        return lastAttemptMillis;
    }

    /** Claims the key's one sync at {@code nowMillis}; false when one is on its way. */
    boolean startSync(long nowMillis) {
        if (!syncing.compareAndSet(false, true)) {
            return false;
        }
        lastAttemptMillis = nowMillis;
        return true;
    }

    /** What a sync pushes: the counts, and what it needs to apply the answer. */
    record Capture(long second, long[] counts, long allowanceAtCapture, long inFlightAtCapture) {
    }

    /**
     * Reads the allowance, the requests in flight and the window, in that order (see the class
     * comment). Only the seconds that may have changed since the last answered sync are kept (the
     * others are 0, which the store skips): a second before that sync's clock was final when it was
     * pushed, since the window's clock never goes back. Every {@link #FULL_PUSH_EVERY}th sync, and
     * the first, pushes every second, so that counts a store lost (a restart, a failover) come back.
     */
    Capture capture(long nowMillis) {
        long a0 = allowance.get();
        long pending = inFlight.get();
        long[] counts = new long[RollingWindow.SLOTS];
        long second = window.secondCounts(nowMillis, counts);
        if (answeredSyncs % FULL_PUSH_EVERY != 0) {
            for (int i = 0; i < counts.length && second - 60 + i < answeredSecond; i++) {
                counts[i] = 0;
            }
        }
        return new Capture(second, counts, a0, pending);
    }

    /** Applies the fleet's count {@code fleet} (answered for {@code capture}) with {@code sidecars} alive. */
    void apply(Capture capture, long fleet, int sidecars, long nowMillis) {
        long share = share(limit, fleet + capture.inFlightAtCapture(), sidecars);
        allowance.addAndGet(share - capture.allowanceAtCapture());
        fleetCount = fleet;
        lastSyncMillis = nowMillis;
        answeredSecond = capture.second();
        answeredSyncs++;
        syncing.set(false);
    }

    /** The sync failed: the allowance stays as it is (spent, not refilled), and the next sync pushes every second. */
    void failed() {
        answeredSyncs = 0;
        syncing.set(false);
    }

    /** {@code ⌊(limit − counted) / sidecars⌋}, never negative. */
    static long share(long limit, long counted, int sidecars) {
        return Math.max(0, limit - counted) / Math.max(1, sidecars);
    }
}
