package dev.keymeter.sidecar;

import dev.keymeter.admin.GracefulStop;
import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckService;
import dev.keymeter.check.DecisionListener;
import dev.keymeter.logging.DenialLog;
import dev.keymeter.check.LastUsedTracker;
import dev.keymeter.metrics.CheckMetrics;
import dev.keymeter.metrics.JvmMetrics;
import dev.keymeter.metrics.MetricsServer;
import dev.keymeter.metrics.ReplicationMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicationClient;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar: its persisted replica, the replication client that feeds it from the control plane,
 * the ext_authz server (with health and reflection), the last-used reporter, and the Prometheus
 * endpoint ({@code /metrics}, {@code /healthz}, {@code /readyz}).
 *
 * <p>Health says NOT_SERVING until the replica has loaded once (in the life of its file: after a
 * restart the replica on disk serves at once, also while the control plane is down). Until then
 * Check answers UNAVAILABLE, so Envoy's {@code status_on_error} applies: the sidecar fails closed.
 */
public final class Sidecar implements AutoCloseable {

    private final SidecarConfig config;
    private final ChronicleKeyReplica replica;
    private final ReplicationClient replication;
    private final Server server;
    private final HealthStatusManager health;
    private final ScheduledExecutorService scheduler;
    private final LastUsedReporter reporter;
    private final Telemetry telemetry;

    /** The metrics endpoint and the meters that read live objects: closed before those objects are. */
    private record Telemetry(MetricsServer server, ReplicationMetrics replication, JvmMetrics jvm) {
        void close() {
            server.close();
            replication.close();
            jvm.close();
        }
    }

    private Sidecar(SidecarConfig config, ChronicleKeyReplica replica, ReplicationClient replication, Server server,
            HealthStatusManager health, ScheduledExecutorService scheduler, LastUsedReporter reporter,
            Telemetry telemetry) {
        this.config = config;
        this.replica = replica;
        this.replication = replication;
        this.server = server;
        this.health = health;
        this.scheduler = scheduler;
        this.reporter = reporter;
        this.telemetry = telemetry;
    }

    /**
     * Opens (or rebuilds) the replica, starts serving Check, and starts following the control plane
     * on {@code controlPlane} with {@code sidecarKey} (an admin key; a read-only one will do).
     */
    public static Sidecar start(SidecarConfig config, ManagedChannel controlPlane, String sidecarKey)
            throws IOException {
        ChronicleKeyReplica replica = ChronicleKeyReplica.openOrRebuild(config.replicaDir(), config.replicaCapacity());
        try {
            KeyReplica served = new CachingKeyReplica(replica, CachingKeyReplica.DEFAULT_SLOTS);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            JvmMetrics jvm = new JvmMetrics();
            jvm.bindTo(registry);
            CheckMetrics checkMetrics = new CheckMetrics(registry);
            // Denial lines are capped at 10 a second: a flood of bad tokens must not become a flood of log I/O.
            DecisionListener listener = DecisionListener.of(checkMetrics, new DenialLog(10, config.clock()::millis));
            Authorizer authorizer = new Authorizer(served, config.clock(), config.check(), listener,
                    new LastUsedTracker());
            HealthStatusManager health = new HealthStatusManager();
            health.setStatus("", ServingStatus.NOT_SERVING);
            health.setStatus(AuthorizationGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
            Server server = AuthzServerBuilder.forAddress(config.host(), config.port(),
                            new CheckService(authorizer, replica::isLoaded))
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .build()
                    .start();
            String sidecarId = sidecarId();
            // Every write goes through the cache, which is how it learns to drop stale entries.
            ReplicationClient replication = new ReplicationClient(controlPlane, sidecarKey, served, sidecarId);
            replication.start();
            ReplicationMetrics replicationMetrics = new ReplicationMetrics(registry, replication, served);
            MetricsServer metrics = new MetricsServer(config.metricsHost(), config.metricsPort(), registry,
                    replica::isLoaded);
            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + sidecarKey);
            LastUsedReporter reporter = new LastUsedReporter(authorizer.lastUsed(), controlPlane,
                    MetadataUtils.newAttachHeadersInterceptor(auth), sidecarId);
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "keymeter-sidecar-background");
                t.setDaemon(true);
                return t;
            });
            Sidecar sidecar = new Sidecar(config, replica, replication, server, health, scheduler, reporter,
                    new Telemetry(metrics, replicationMetrics, jvm));
            scheduler.scheduleWithFixedDelay(sidecar::updateHealth, 0, 50, TimeUnit.MILLISECONDS);
            long every = config.lastUsedInterval().toMillis();
            scheduler.scheduleWithFixedDelay(reporter::report, every, every, TimeUnit.MILLISECONDS);
            return sidecar;
        } catch (IOException | RuntimeException e) {
            replica.close();
            throw e;
        }
    }

    private void updateHealth() {
        ServingStatus status = replica.isLoaded() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        health.setStatus("", status);
        health.setStatus(AuthorizationGrpc.SERVICE_NAME, status);
    }

    public int port() {
        return server.getPort();
    }

    public String host() {
        return config.host();
    }

    public ChronicleKeyReplica replica() {
        return replica;
    }

    public ReplicationClient replication() {
        return replication;
    }

    /** Where {@code /metrics}, {@code /healthz} and {@code /readyz} listen. */
    public int metricsPort() {
        return telemetry.server().port();
    }

    /** Reports pending last-used times now (the scheduler does it every interval). */
    public void reportLastUsed() {
        try {
            scheduler.submit(reporter::report).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("last-used report did not complete", e);
        }
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Stops taking checks, lets in-flight ones finish, stops replication, reports, closes the replica. */
    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        GracefulStop.awaitOrForce(server, config.shutdownGrace());
        replication.close();
        telemetry.close();
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            reporter.report();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException lastReportFailed) {
            // The control plane may already be gone (serve shuts it down after us); nothing is lost but
            // the last few last-used times.
        }
        replica.close();
    }

    private static String sidecarId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid();
    }
}
