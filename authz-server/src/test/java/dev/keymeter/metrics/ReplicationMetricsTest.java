package dev.keymeter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.replica.ReplicationClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication gauges against a real control plane (SQLite, gRPC on loopback) and a real Chronicle
 * replica, scraped over HTTP; /readyz follows the replica.
 */
class ReplicationMetricsTest {

    private static final long CAPACITY = 1_000;

    @TempDir
    Path dir;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private ControlPlane controlPlane;
    private ManagedChannel channel;
    private ChronicleKeyReplica replica;
    private ReplicationClient client;
    private ReplicationMetrics metrics;
    private MetricsServer server;

    @BeforeEach
    void start() throws IOException {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("control-plane")).withPort(0));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", controlPlane.port()).usePlaintext().build();
        replica = ChronicleKeyReplica.open(dir.resolve("replica"), CAPACITY);
        String sidecarKey = controlPlane.bootstrapKey().orElseThrow().token();
        client = new ReplicationClient(channel, sidecarKey, replica, "metrics-test");
        metrics = new ReplicationMetrics(registry, client, replica);
        server = new MetricsServer("127.0.0.1", 0, registry, replica::isLoaded);
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
        client.close();
        replica.close();
        channel.shutdownNow();
        controlPlane.close();
        registry.close();
    }

    @Test
    void metrics_beforeStart_showDisconnectedAndNotLoaded() {
        Map<String, Double> s = Scrape.series(server);
        assertEquals(0.0, s.get("keymeter_replication_connected"));
        assertEquals(0.0, s.get("keymeter_replication_healthy"));
        assertEquals(0.0, s.get("keymeter_replication_applied_revision"));
        assertEquals(0.0, s.get("keymeter_replication_snapshots_total"));
        assertEquals(0.0, s.get("keymeter_replication_refused_records_total"));
        assertEquals(0.0, s.get("keymeter_replica_keys"));
        assertEquals(0.0, s.get("keymeter_replica_loaded"));
        assertEquals((double) replica.digestCapacity(), s.get("keymeter_replica_capacity_digests"));
        assertEquals(503, Scrape.request(server, "GET", "/readyz").statusCode());
    }

    @Test
    void metrics_afterTheFirstSnapshot_showConnectedLoadedAndCaughtUp() throws InterruptedException {
        client.start();
        awaitTrue(() -> client.isHealthy() && client.snapshotsApplied() == 1);

        Map<String, Double> s = Scrape.series(server);
        assertEquals(1.0, s.get("keymeter_replication_connected"));
        assertEquals(1.0, s.get("keymeter_replication_healthy"));
        assertEquals(1.0, s.get("keymeter_replication_snapshots_total"));
        assertEquals(1.0, s.get("keymeter_replication_streams_total"));
        assertEquals((double) client.appliedRevision(), s.get("keymeter_replication_applied_revision"));
        assertEquals((double) client.lag(), s.get("keymeter_replication_lag_revisions"));
        assertEquals(0.0, s.get("keymeter_replication_refused_records_total"));
        assertEquals(1.0, s.get("keymeter_replica_loaded"));
        assertEquals(1.0, s.get("keymeter_replica_keys"), "the bootstrap admin key");
        assertEquals((double) replica.digestCount(), s.get("keymeter_replica_digests"));
        assertEquals(200, Scrape.request(server, "GET", "/readyz").statusCode());
    }

    @Test
    void close_removesEveryReplicationMeter() {
        metrics.close();
        String text = Scrape.text(server);
        assertFalse(text.contains("keymeter_replica"), text);
    }

    /** Waits for what the client's thread does (not for time to pass); fails after 20 s. */
    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 20 s");
            }
            Thread.sleep(1);
        }
    }
}
