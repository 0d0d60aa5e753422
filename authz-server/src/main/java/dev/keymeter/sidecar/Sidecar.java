package dev.keymeter.sidecar;

import dev.keymeter.grpc.GracefulStop;
import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckService;
import dev.keymeter.check.DecisionListener;
import dev.keymeter.logging.DenialLog;
import dev.keymeter.check.LastUsedTracker;
import dev.keymeter.ingest.IngestAuthInterceptor;
import dev.keymeter.metrics.CheckMetrics;
import dev.keymeter.metrics.FleetMetrics;
import dev.keymeter.metrics.JvmMetrics;
import dev.keymeter.metrics.MetricsServer;
import dev.keymeter.metrics.ReplicationMetrics;
import dev.keymeter.metrics.TableMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicationBackoff;
import dev.keymeter.replica.ReplicationClient;
import dev.keymeter.metrics.UsageMetrics;
import dev.keymeter.quota.ChronicleCounterStore;
import dev.keymeter.tls.ServerTls;
import dev.keymeter.usage.AccessLogService;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.RecentRequests;
import dev.keymeter.usage.Reservations;
import dev.keymeter.usage.UsageLedger;
import dev.keymeter.usage.UsageReportService;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
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
 * <p>Health says NOT_SERVING until the replica has loaded once, and — with {@code --max-replica-staleness}
 * — while it has not been in step with the control plane for longer than that ({@link ReplicaHealth}) (in the life of its file: after a
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
    /** Merges the Check threads' logs; its own thread, so that a slow report never delays it. */
    private final ScheduledExecutorService merges;
    private final LastUsedReporter reporter;
    private final Telemetry telemetry;
    private final ChronicleCounterStore counters;
    private final UsageLedger ledger;
    private final UsageReporter usageReporter;
    private final Budgets budgets;
    /** Shared budgets' store and sync, or {@code null} when this sidecar counts alone. */
    private final FleetBudgets fleet;
    /** The request ids of counted usage, in files: closed after the services that write them. */
    private final RecentRequests requestIds;
    private final ReplicaHealth replicaHealth;

    /** The metrics endpoint and the meters that read live objects: closed before those objects are. */
    private record Telemetry(MetricsServer server, ReplicationMetrics replication, JvmMetrics jvm, FleetMetrics fleet,
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

    /** The listeners' certificates, re-read from disk while they serve. */
    private final ListenerTls tls;

    /** Each listener's TLS, {@code null} where it is plaintext; closed with the sidecar. */
    private record ListenerTls(ServerTls authz, ServerTls metrics) {
        void close() {
            if (authz != null) {
                authz.close();
            }
            if (metrics != null) {
                metrics.close();
            }
        }

        static String describe(ServerTls tls) {
            return tls == null ? "plaintext" : tls.describe();
        }
    }

    private Sidecar(SidecarConfig config, ChronicleKeyReplica replica, ReplicationClient replication, Server server,
            HealthStatusManager health, ScheduledExecutorService scheduler, ScheduledExecutorService merges,
            LastUsedReporter reporter, Telemetry telemetry, ChronicleCounterStore counters, UsageLedger ledger,
            UsageReporter usageReporter, Budgets budgets, FleetBudgets fleet, ListenerTls tls, RecentRequests requestIds,
            ReplicaHealth replicaHealth) {
        this.tls = tls;
        this.requestIds = requestIds;
        this.replicaHealth = replicaHealth;
        this.fleet = fleet;
        this.counters = counters;
        this.ledger = ledger;
        this.usageReporter = usageReporter;
        this.budgets = budgets;
        this.config = config;
        this.replica = replica;
        this.replication = replication;
        this.server = server;
        this.health = health;
        this.scheduler = scheduler;
        this.merges = merges;
        this.reporter = reporter;
        this.telemetry = telemetry;
    }

    /**
     * Opens (or rebuilds) the replica, starts serving Check, and starts following the control plane
     * on {@code controlPlane} with {@code sidecarKey} (a sidecar credential, {@code kmc_…}).
     */
    public static Sidecar start(SidecarConfig config, ManagedChannel controlPlane, String sidecarKey)
            throws IOException {
        ChronicleKeyReplica replica = ChronicleKeyReplica.openOrRebuild(config.replicaDir(), config.replicaCapacity());
        ChronicleCounterStore counters = null;
        FleetBudgets fleet = null;
        ServerTls authzTls = null;
        ServerTls metricsTls = null;
        RecentRequests requestIds = null;
        try {
            SidecarBounds bounds = config.bounds();
            BudgetSettings budgetSettings = config.budgets();
            counters = ChronicleCounterStore.open(config.countersDir(), budgetSettings.counterCapacity());
            String sidecarId = budgetSettings.fleet().sidecarId() != null ? budgetSettings.fleet().sidecarId() : sidecarId();
            if (budgetSettings.fleet().shared()) {
                fleet = FleetBudgets.start(budgetSettings.fleet(), sidecarId, config.clock());
            }
            Budgets budgets = new Budgets(counters, budgetSettings.prices(),
                    new Reservations(budgetSettings.reservationTtl().toMillis(), bounds.maxReservations(),
                            bounds.maxTombstones()),
                    fleet == null ? null : fleet.sync());
            KeyReplica served = new CachingKeyReplica(replica, CachingKeyReplica.DEFAULT_SLOTS);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            JvmMetrics jvm = new JvmMetrics();
            jvm.bindTo(registry);
            CheckMetrics checkMetrics = new CheckMetrics(registry, config.metricsKeySeries());
            // Denial lines are capped at 10 a second: a flood of bad tokens must not become a flood of log I/O.
            DecisionListener listener = DecisionListener.of(checkMetrics, new DenialLog(10, config.clock()::millis));
            Authorizer authorizer = new Authorizer(served, config.clock(), config.check(), listener,
                    new LastUsedTracker(), budgets);
            UsageMetrics usageMetrics = new UsageMetrics(registry, checkMetrics.maxKeySeries(), budgets, served,
                    config.clock());
            requestIds = RecentRequests.open(config.requestIdsDir(), bounds.requestIds(),
                    bounds.requestIdRetention().toMillis(), config.clock().millis());
            UsageLedger ledger = new UsageLedger(budgets, served, requestIds, usageMetrics, config.clock());
            HealthStatusManager health = new HealthStatusManager();
            health.setStatus("", ServingStatus.NOT_SERVING);
            health.setStatus(AuthorizationGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
            if (config.authzTls() != null) {
                authzTls = ServerTls.load(config.authzTls());
            }
            if (config.metricsTls() != null) {
                metricsTls = ServerTls.load(config.metricsTls());
            }
            // Check stays open (network placement); the usage services charge budgets: credential first.
            IngestAuthInterceptor ingestGate = new IngestAuthInterceptor(config.ingest(), usageMetrics);
            Server server = AuthzServerBuilder.forAddress(config.host(), config.port(),
                            new CheckService(authorizer, replica::isLoaded),
                            authzTls == null ? null : authzTls.credentials())
                    .addService(ServerInterceptors.intercept(
                            new AccessLogService(ledger, budgetSettings.usage(), usageMetrics), ingestGate))
                    .addService(ServerInterceptors.intercept(new UsageReportService(ledger, usageMetrics), ingestGate))
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .build()
                    .start();
            // Every write goes through the cache, which is how it learns to drop stale entries.
            ReplicationClient replication = new ReplicationClient(controlPlane, sidecarKey, served, sidecarId,
                    ReplicationBackoff.defaults(), config.clock());
            replication.start();
            ReplicaHealth replicaHealth = new ReplicaHealth(replica, replication, bounds.maxReplicaStaleness());
            ReplicationMetrics replicationMetrics = new ReplicationMetrics(registry, replication, served);
            FleetMetrics fleetMetrics = fleet == null ? null : new FleetMetrics(registry, fleet.sync());
            TableMetrics tableMetrics = new TableMetrics(registry, budgets.reservations(), requestIds);
            MetricsServer metrics = new MetricsServer(config.metricsHost(), config.metricsPort(), registry,
                    replicaHealth::readiness, checkMetrics::flush, metricsTls);
            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + sidecarKey);
            LastUsedReporter reporter = new LastUsedReporter(authorizer.lastUsed(), controlPlane,
                    MetadataUtils.newAttachHeadersInterceptor(auth), sidecarId);
            UsageReporter usageReporter = new UsageReporter(budgets, served, controlPlane,
                    MetadataUtils.newAttachHeadersInterceptor(auth), sidecarId, config.clock());
            ScheduledExecutorService scheduler = daemonScheduler("keymeter-sidecar-background");
            ScheduledExecutorService merges = daemonScheduler("keymeter-sidecar-merge");
            Sidecar sidecar = new Sidecar(config, replica, replication, server, health, scheduler, merges, reporter,
                    new Telemetry(metrics, replicationMetrics, jvm, fleetMetrics, tableMetrics), counters, ledger,
                    usageReporter, budgets, fleet, new ListenerTls(authzTls, metricsTls), requestIds, replicaHealth);
            // Health follows the replica from the first moment: a restarted sidecar whose replica is
            // already loaded says SERVING before start returns, not after the scheduler's first run.
            sidecar.updateHealth();
            scheduler.scheduleWithFixedDelay(sidecar::updateHealth, 50, 50, TimeUnit.MILLISECONDS);
            // Check threads log key uses and allowed requests per key; the lookups that note them
            // happen here, off the hot path, on a thread of their own: the reports below block for up
            // to their deadline while the control plane is away, and full logs would send the Check
            // threads back to doing the lookups themselves.
            merges.scheduleWithFixedDelay(() -> {
                authorizer.lastUsed().mergeLogs();
                checkMetrics.flush();
            }, 50, 50, TimeUnit.MILLISECONDS);
            long every = config.lastUsedInterval().toMillis();
            scheduler.scheduleWithFixedDelay(reporter::report, every, every, TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(usageReporter::report, every, every, TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(sidecar::expireReservations, 1, 1, TimeUnit.SECONDS);
            return sidecar;
        } catch (IOException | RuntimeException e) {
            new ListenerTls(authzTls, metricsTls).close();
            if (fleet != null) {
                fleet.close();
            }
            if (counters != null) {
                counters.close();
            }
            if (requestIds != null) {
                try {
                    requestIds.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            replica.close();
            throw e;
        }
    }

    private void updateHealth() {
        ServingStatus status = replicaHealth.serving() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
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
        onScheduler(reporter::report, "last-used report");
    }

    /** Runs {@code task} on the scheduler thread (where the reporters run) and waits up to 10 s for it. */
    private void onScheduler(Runnable task, String what) {
        try {
            scheduler.submit(task).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(what + " did not complete", e);
        }
    }

    private void expireReservations() {
        try {
            ledger.expireReservations();
        } catch (RuntimeException e) {
            // Never let one failure end the schedule: the next run tries again.
            System.getLogger("keymeter.sidecar").log(System.Logger.Level.WARNING,
                    "charging expired reservations failed: " + e);
        }
    }

    /** The budgets Check enforces (counters, prices, reservations). */
    public Budgets budgets() {
        return budgets;
    }

    /** The ledger that settles usage (the access-log and Report services call it). */
    public UsageLedger ledger() {
        return ledger;
    }

    /** Reports usage figures to the control plane now (the scheduler does it every interval). */
    public void reportUsage() {
        onScheduler(usageReporter::report, "usage report");
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
        merges.shutdownNow(); // the reports below drain what is still logged
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            reporter.report();
            usageReporter.report();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException lastReportFailed) {
            // The control plane may already be gone (serve shuts it down after us); nothing is lost but
            // the last few last-used times.
        }
        if (fleet != null) {
            fleet.close();
        }
        counters.close();
        try {
            requestIds.close();
        } catch (IOException | RuntimeException e) {
            System.getLogger("keymeter.sidecar").log(System.Logger.Level.WARNING,
                    "closing the request-id files failed (the next start recovers them): " + e);
        }
        replica.close();
        tls.close();
    }

    /** How the ext_authz/usage listener speaks: "plaintext", "TLS" or "mTLS (…)". */
    public String transport() {
        return ListenerTls.describe(tls.authz());
    }

    /** How the metrics listener speaks, likewise. */
    public String metricsTransport() {
        return ListenerTls.describe(tls.metrics());
    }

    static ScheduledExecutorService daemonScheduler(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
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
