package dev.keymeter.lifecycle;

import dev.keymeter.store.DiskReserve;
import dev.keymeter.store.StoreFullException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the control plane does when its disk fills. Mutations that take access away (revoke,
 * disable) may spend the {@link DiskReserve}: when one fails with {@link StoreFullException} the
 * reserve is given away and the mutation retried once. Every other mutation first takes the reserve
 * back; while it cannot (the disk is still full) it is refused before it writes anything, so the
 * room stays for revocations. Full-disk failures are logged with the directory at most once per
 * {@link #LOG_EVERY}; the mutations refused meanwhile are counted by action, for one audit record
 * written when space returns.
 */
final class DiskFullGuard {

    private static final Logger LOG = System.getLogger("keymeter.audit");
    static final Duration LOG_EVERY = Duration.ofMinutes(1);
    /** Mutations that take access away: a compromised key must be revocable on a full disk. */
    private static final Set<String> TAKE_ACCESS_AWAY = Set.of("RevokeKey", "DisableKey");

    private final Clock clock;
    private volatile DiskReserve reserve = DiskReserve.none();
    private final Map<String, LongAdder> refusedWhileFull = new ConcurrentHashMap<>();
    private volatile boolean full;
    private Instant lastLogged;
    private long unlogged;

    DiskFullGuard(Clock clock) {
        this.clock = clock;
    }

    void use(DiskReserve newReserve) {
        this.reserve = newReserve;
    }

    /** Whether {@code action} may spend the reserve. */
    static boolean takesAccessAway(String action) {
        return TAKE_ACCESS_AWAY.contains(action);
    }

    /** Whether the last write failed for a full disk (or the reserve is still given away). */
    boolean full() {
        return full || !reserve.held();
    }

    /**
     * Before {@code action} writes: refuses it (throws) while the reserve is given away and cannot be
     * taken back; returns the refusals to audit when space has just returned, else an empty map.
     */
    Map<String, Long> admit(String action) {
        if (takesAccessAway(action) || reserve.held()) {
            return Map.of();
        }
        if (!reserve.take()) {
            refusedWhileFull.computeIfAbsent(action, a -> new LongAdder()).increment();
            StoreFullException refused = reserve.refusal(action);
            logFull(refused);
            throw refused;
        }
        LOG.log(Level.INFO, "the disk of {0} has room again: the disk reserve is back; writes resume",
                reserve.directory());
        full = false;
        Map<String, Long> counts = new TreeMap<>();
        refusedWhileFull.forEach((a, n) -> counts.put(a, n.sumThenReset()));
        refusedWhileFull.clear();
        return counts;
    }

    /** A write of {@code action} failed for a full disk: true when the caller may retry it once now. */
    boolean retryAfter(String action, StoreFullException failure) {
        full = true;
        logFull(failure);
        if (takesAccessAway(action) && reserve.give()) {
            LOG.log(Level.WARNING, "the disk of {0} is full: gave up the disk reserve so that {1} can commit; "
                    + "other writes are refused until space returns", reserve.directory(), action);
            return true;
        }
        return false;
    }

    /** A write committed: the disk took it. */
    void committed() {
        if (full && reserve.held()) {
            full = false;
        }
    }

    private synchronized void logFull(StoreFullException failure) {
        Instant now = clock.instant();
        if (lastLogged != null && now.isBefore(lastLogged.plus(LOG_EVERY))) {
            unlogged++;
            return;
        }
        String where = failure.location().isEmpty() ? reserve.directory() : failure.location();
        LOG.log(Level.ERROR, "the control plane''s disk is full: {0} ({1}; {2} more full-disk failures since the "
                + "last such line); free space there, writes resume by themselves", where, failure.getMessage(),
                Long.toString(unlogged));
        lastLogged = now;
        unlogged = 0;
    }
}
