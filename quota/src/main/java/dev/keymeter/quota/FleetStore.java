package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import java.util.concurrent.CompletionStage;

/**
 * Where the sidecars of a fleet meet to share each key's limits (Redis in production, an in-process
 * model in the simulator). Every write is idempotent: counts are absolute and merged with max(), so
 * a command that is retried or replayed (Lettuce re-sends after a reconnect) changes nothing.
 *
 * <p>Calls never block: they return a stage that completes when the store answers, or
 * exceptionally (a timeout, a lost connection). Implementations are thread-safe.
 */
public interface FleetStore extends AutoCloseable {

    /**
     * Merges {@code sidecarId}'s per-second request counts of one key into the fleet's (max per
     * sidecar and second), drops seconds older than the window, and answers the fleet's count.
     *
     * @param keyId     the key
     * @param epoch     the key's counter epoch: a usage reset starts a new fleet count
     * @param sidecarId this sidecar
     * @param second    the window's clock {@code t}, epoch seconds
     * @param counts    {@link RollingWindow#SLOTS} counts; {@code counts[i]} is second {@code t - 60 + i}
     * @return the fleet's admissions in seconds {@code t - 60 .. t}, this sidecar's included
     */
    CompletionStage<Long> syncRequests(String keyId, long epoch, String sidecarId, long second, long[] counts);

    /**
     * What one sidecar sends to sync its allotment of one key's token or cost budget in one period.
     *
     * @param keyId           the key
     * @param epoch           the key's counter epoch: a usage reset starts a new fleet budget
     * @param kind            tokens or cost
     * @param periodIndex     the period ({@link ResetPeriod#indexAt}); each has its own counters
     * @param periodEndMillis when the period ends (the store forgets it some time after), or
     *                        {@link Long#MAX_VALUE} for a period that never ends
     * @param sidecarId       this sidecar
     * @param incarnation     this sidecar process: a restarted sidecar's record replaces the old one's
     * @param seq             grows with every sync of this key by this process: an older or repeated
     *                        sync (a replay, a retry) changes nothing and gets the newest answer
     * @param used            what this sidecar has committed in the period (used + reserved)
     * @param keep            the allotment this sidecar holds and keeps (it may already be spending it)
     * @param want            how much more it asks for
     * @param limit           the key's limit L
     * @param sidecars        live sidecars N, as this sidecar knows them: near the limit a grant is at
     *                        most ⌈room / N⌉, so the rest is split
     * @param leaseMillis     how long the store counts this record's allotment (its used amount always counts)
     */
    record BudgetSync(String keyId, long epoch, FleetBudget.Kind kind, long periodIndex, long periodEndMillis,
                      String sidecarId, String incarnation, long seq, long used, long keep, long want, long limit,
                      int sidecars, long leaseMillis) {
    }

    /**
     * The store's answer to a {@link BudgetSync}.
     *
     * @param allotment     the most this sidecar may commit in the period (absolute, not an increment)
     * @param fleetCommitted Σ over sidecars of max(used, allotment): what the fleet has taken
     * @param fleetUsed     Σ over sidecars of used
     */
    record BudgetGrant(long allotment, long fleetCommitted, long fleetUsed) {
    }

    /**
     * Records {@code sync.used} for the sidecar and grants it an allotment: what it keeps (as far as
     * the budget has room) plus up to {@code want} more, out of {@code L − Σ others' max(used,
     * allotment)}, and at most ⌈room / N⌉ of it. One atomic step in the store; see {@link FleetBudget}.
     */
    CompletionStage<BudgetGrant> syncBudget(BudgetSync sync);

    /**
     * Says that {@code sidecarId} is alive for {@code ttlMillis} more, and answers how many sidecars
     * are alive (itself included).
     */
    CompletionStage<Integer> heartbeat(String sidecarId, long ttlMillis);

    @Override
    void close();
}
