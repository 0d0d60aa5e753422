package dev.keymeter.sidecar;

import dev.keymeter.metrics.FleetMetrics;
import dev.keymeter.metrics.JvmMetrics;
import dev.keymeter.metrics.MetricsServer;
import dev.keymeter.metrics.ReplicationMetrics;
import dev.keymeter.metrics.TableMetrics;

/**
 * The metrics endpoint and the meters that read live objects: closed before those objects are.
 *
 * @param fleet {@code null} when this sidecar counts its budgets alone
 */
record Telemetry(MetricsServer server, ReplicationMetrics replication, JvmMetrics jvm, FleetMetrics fleet,
        TableMetrics tables) {

    void close() {
        server.close();
        replication.close();
        tables.close();
        jvm.close();
        if (fleet != null) {
            fleet.close();
        }
    }
}
