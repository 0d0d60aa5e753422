package dev.keymeter.metrics;

import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicationClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * The replica and its replication client, as gauges and counters read at scrape time:
 *
 * <ul>
 *   <li>{@code keymeter_replication_connected}, {@code keymeter_replication_healthy} (0 or 1);
 *   <li>{@code keymeter_replication_applied_revision}, {@code keymeter_replication_heartbeat_revision},
 *       {@code keymeter_replication_lag_revisions};
 *   <li>{@code keymeter_replica_staleness_seconds}: time since the stream was last in step with the
 *       control plane (grows while it is away, when the revision lag cannot);
 *   <li>{@code keymeter_replication_snapshots_total}, {@code keymeter_replication_streams_total},
 *       {@code keymeter_replication_refused_records_total} (counters of this client instance);
 *   <li>{@code keymeter_replica_keys}, {@code keymeter_replica_digests},
 *       {@code keymeter_replica_capacity_digests}, {@code keymeter_replica_loaded} (0 or 1).
 * </ul>
 *
 * <p>No labels. The meters hold their objects strongly, and read only volatile fields or the
 * replica's counts, so a scrape never blocks the hot path. {@link #close} removes them: call it
 * before closing the replica, so that no scrape reads a closed map.
 */
public final class ReplicationMetrics implements AutoCloseable {

    private final ScrapedMeters meters;

    public ReplicationMetrics(MeterRegistry registry, ReplicationClient client, KeyReplica replica) {
        this.meters = new ScrapedMeters(registry);
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(replica, "replica");
        meters.gauge("keymeter.replication.connected", "1 while a Watch stream is open and delivering",
                client, c -> bit(c.isConnected()));
        meters.gauge("keymeter.replication.healthy", "1 while connected, in sync and holding every key sent",
                client, c -> bit(c.isHealthy()));
        meters.gauge("keymeter.replication.applied.revision", "Last control-plane revision fully applied",
                client, ReplicationClient::appliedRevision);
        meters.gauge("keymeter.replication.heartbeat.revision", "Revision of the last heartbeat (0 before any)",
                client, ReplicationClient::lastHeartbeatRevision);
        meters.gauge("keymeter.replication.lag.revisions", "Revisions the replica is behind the control plane",
                client, ReplicationClient::lag);
        meters.gauge("keymeter.replica.staleness.seconds", "Seconds since the replica was last in step with the "
                + "control plane", client, c -> c.staleness().toMillis() / 1000.0);
        meters.counter("keymeter.replication.snapshots", "Snapshots applied by this client",
                client, ReplicationClient::snapshotsApplied);
        meters.counter("keymeter.replication.streams", "Watch streams opened (first and every reconnect)",
                client, ReplicationClient::streamsOpened);
        meters.counter("keymeter.replication.refused.records", "Records the replica refused (no room)",
                client, ReplicationClient::refusedRecords);
        meters.gauge("keymeter.replica.keys", "Keys held", replica, KeyReplica::keyCount);
        meters.gauge("keymeter.replica.digests", "Secret digests held", replica, KeyReplica::digestCount);
        meters.gauge("keymeter.replica.capacity.digests", "Most secret digests the replica was sized for",
                replica, KeyReplica::digestCapacity);
        meters.gauge("keymeter.replica.loaded", "1 once a snapshot has completed (the sidecar is ready)",
                replica, r -> bit(r.isLoaded()));
    }



    private static double bit(boolean value) {
        return value ? 1 : 0;
    }

    /** Removes these meters from the registry. */
    @Override
    public void close() {
        meters.removeAll();
    }
}
