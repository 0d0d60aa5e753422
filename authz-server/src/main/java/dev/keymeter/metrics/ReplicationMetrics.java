package dev.keymeter.metrics;

import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicationClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The replica and its replication client, as gauges and counters read at scrape time:
 *
 * <ul>
 *   <li>{@code keymeter_replication_connected}, {@code keymeter_replication_healthy} (0 or 1);
 *   <li>{@code keymeter_replication_applied_revision}, {@code keymeter_replication_heartbeat_revision},
 *       {@code keymeter_replication_lag_revisions};
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

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    public ReplicationMetrics(MeterRegistry registry, ReplicationClient client, KeyReplica replica) {
        this.registry = Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(replica, "replica");
        gauge("keymeter.replication.connected", "1 while a Watch stream is open and delivering",
                client, c -> bit(c.isConnected()));
        gauge("keymeter.replication.healthy", "1 while connected, in sync and holding every key sent",
                client, c -> bit(c.isHealthy()));
        gauge("keymeter.replication.applied.revision", "Last control-plane revision fully applied",
                client, ReplicationClient::appliedRevision);
        gauge("keymeter.replication.heartbeat.revision", "Revision of the last heartbeat (0 before any)",
                client, ReplicationClient::lastHeartbeatRevision);
        gauge("keymeter.replication.lag.revisions", "Revisions the replica is behind the control plane",
                client, ReplicationClient::lag);
        counter("keymeter.replication.snapshots", "Snapshots applied by this client",
                client, ReplicationClient::snapshotsApplied);
        counter("keymeter.replication.streams", "Watch streams opened (first and every reconnect)",
                client, ReplicationClient::streamsOpened);
        counter("keymeter.replication.refused.records", "Records the replica refused (no room)",
                client, ReplicationClient::refusedRecords);
        gauge("keymeter.replica.keys", "Keys held", replica, KeyReplica::keyCount);
        gauge("keymeter.replica.digests", "Secret digests held", replica, KeyReplica::digestCount);
        gauge("keymeter.replica.capacity.digests", "Most secret digests the replica was sized for",
                replica, KeyReplica::digestCapacity);
        gauge("keymeter.replica.loaded", "1 once a snapshot has completed (the sidecar is ready)",
                replica, r -> bit(r.isLoaded()));
    }

    private <T> void gauge(String name, String help, T object, ToDoubleFunction<T> value) {
        meters.add(Gauge.builder(name, object, value).description(help).strongReference(true).register(registry));
    }

    private <T> void counter(String name, String help, T object, ToDoubleFunction<T> value) {
        meters.add(FunctionCounter.builder(name, object, value).description(help).register(registry));
    }

    private static double bit(boolean value) {
        return value ? 1 : 0;
    }

    /** Removes these meters from the registry. */
    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
