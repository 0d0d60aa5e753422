package dev.keymeter.quota;

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
     * Says that {@code sidecarId} is alive for {@code ttlMillis} more, and answers how many sidecars
     * are alive (itself included).
     */
    CompletionStage<Integer> heartbeat(String sidecarId, long ttlMillis);

    @Override
    void close();
}
