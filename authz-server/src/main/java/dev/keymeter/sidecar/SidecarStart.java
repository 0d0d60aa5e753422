package dev.keymeter.sidecar;

import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckService;
import dev.keymeter.check.DecisionListener;
import dev.keymeter.check.LastUsedTracker;
import dev.keymeter.ingest.IngestAuthInterceptor;
import dev.keymeter.logging.DenialLog;
import dev.keymeter.metrics.CheckMetrics;
import dev.keymeter.metrics.FleetMetrics;
import dev.keymeter.metrics.JvmMetrics;
import dev.keymeter.metrics.MetricsServer;
import dev.keymeter.metrics.ReplicationMetrics;
import dev.keymeter.metrics.TableMetrics;
import dev.keymeter.metrics.UsageMetrics;
import dev.keymeter.replica.ReplicationBackoff;
import dev.keymeter.replica.ReplicationClient;
import dev.keymeter.usage.AccessLogService;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.Reservations;
import dev.keymeter.usage.SpendUnknownFile;
import dev.keymeter.usage.UsageLedger;
import dev.keymeter.usage.UsageReportService;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.grpc.BindableService;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.stub.MetadataUtils;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * {@link Sidecar#start}, one named step per part: the files, fleet budgets, the deciding objects, the
 * listeners' certificates, the ext_authz server, replication, the metrics endpoint, the reporters.
 * Each step notes what it opened in {@link OpenedParts}; when a step fails, everything opened before
 * it is closed, last first, and the failure is thrown. Used once, by one thread.
 */
final class SidecarStart {

    private final SidecarConfig config;
    private final ManagedChannel controlPlane;
    private final String sidecarKey;
    private final String sidecarId;
    private final OpenedParts opened = new OpenedParts();

    private SidecarStart(SidecarConfig config, ManagedChannel controlPlane, String sidecarKey) {
        this.config = config;
        this.controlPlane = controlPlane;
        this.sidecarKey = sidecarKey;
        FleetSettings fleet = config.budgets().fleet();
        this.sidecarId = fleet.sidecarId() != null ? fleet.sidecarId() : defaultSidecarId();
    }

    static Sidecar run(SidecarConfig config, ManagedChannel controlPlane, String sidecarKey) throws IOException {
        SidecarStart start = new SidecarStart(config, controlPlane, sidecarKey);
        try {
            return start.steps();
        } catch (IOException | RuntimeException e) {
            start.opened.closeAfter(e);
            throw e;
        }
    }

    private Sidecar steps() throws IOException {
        Storage storage = Storage.open(config, opened);
        FleetBudgets fleet = startFleet();
        Budgets budgets = budgets(storage, fleet);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JvmMetrics jvm = new JvmMetrics();
        opened.add(jvm, jvm::close);
        jvm.bindTo(registry);
        Decisions decisions = decisions(registry, storage, budgets);
        ListenerTls tls = ListenerTls.load(config);
        opened.add(tls, tls::close);
        Serving serving = startServing(storage, decisions, tls);
        Telemetry telemetry = startTelemetry(registry, jvm, storage, budgets, fleet, decisions, serving, tls);
        Reporters reporters = reporters(decisions, storage, budgets);
        return new Sidecar(config, storage, serving, telemetry, decisions, reporters, budgets, fleet, tls);
    }

    /** Shared budgets' store and sync, or {@code null} when this sidecar counts alone. */
    private FleetBudgets startFleet() {
        if (!config.budgets().fleet().shared()) {
            return null;
        }
        FleetBudgets fleet = FleetBudgets.start(config.budgets().fleet(), sidecarId, config.clock());
        return opened.add(fleet, fleet::close);
    }

    private Budgets budgets(Storage storage, FleetBudgets fleet) {
        BudgetSettings settings = config.budgets();
        SidecarBounds bounds = config.bounds();
        Reservations reservations = new Reservations(settings.reservationTtl().toMillis(), bounds.maxReservations(),
                bounds.maxTombstones());
        return new Budgets(storage.counters(), settings.prices(), reservations, fleet == null ? null : fleet.sync(),
                new SpendUnknownFile(config.spendUnknownFile()));
    }

    private Decisions decisions(PrometheusMeterRegistry registry, Storage storage, Budgets budgets) {
        CheckMetrics checkMetrics = new CheckMetrics(registry, config.metricsKeySeries());
        // Denial lines are capped at 10 a second: a flood of bad tokens must not become a flood of log I/O.
        DecisionListener listener = DecisionListener.of(checkMetrics, new DenialLog(10, config.clock()::millis));
        Authorizer authorizer = Authorizer.builder(storage.served(), config.clock(), config.check())
                .listener(listener).lastUsed(new LastUsedTracker()).budgets(budgets).build();
        UsageMetrics usageMetrics = new UsageMetrics(registry, checkMetrics.maxKeySeries(), budgets, storage.served(),
                config.clock());
        UsageLedger ledger = new UsageLedger(budgets, storage.served(), storage.requestIds(), usageMetrics,
                config.clock());
        return new Decisions(authorizer, checkMetrics, usageMetrics, ledger);
    }

    /** The ext_authz/usage server (health NOT_SERVING), then replication into the replica. */
    private Serving startServing(Storage storage, Decisions decisions, ListenerTls tls) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("", ServingStatus.NOT_SERVING);
        health.setStatus(AuthorizationGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
        Server server = startServer(storage, decisions, health, tls);
        ReplicationClient replication = new ReplicationClient(controlPlane, sidecarKey, storage.served(), sidecarId,
                ReplicationBackoff.defaults(), config.clock());
        opened.add(replication, replication::close);
        replication.start();
        ReplicaHealth replicaHealth = new ReplicaHealth(storage.replica(), replication,
                config.bounds().maxReplicaStaleness());
        return new Serving(server, health, replication, replicaHealth);
    }

    private Server startServer(Storage storage, Decisions decisions, HealthStatusManager health, ListenerTls tls)
            throws IOException {
        // Check stays open (network placement); the usage services charge budgets: credential first.
        IngestAuthInterceptor ingestGate = new IngestAuthInterceptor(config.ingest(), decisions.usageMetrics());
        Server server = AuthzServerBuilder.forAddress(config.host(), config.port(),
                        new CheckService(decisions.authorizer(), storage.replica()::isLoaded),
                        tls.authz() == null ? null : tls.authz().credentials())
                .addService(ServerInterceptors.intercept(new AccessLogService(decisions.ledger(),
                        config.budgets().usage(), decisions.usageMetrics()), ingestGate))
                .addService(ServerInterceptors.intercept(
                        new UsageReportService(decisions.ledger(), decisions.usageMetrics()), ingestGate))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                // v1alpha as well: grpcurl before 1.8.8 and other older tools speak only that one.
                .addService(reflectionV1Alpha())
                .build()
                .start();
        return opened.add(server, () -> {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS); // the port is free once this returns
        });
    }

    private Telemetry startTelemetry(PrometheusMeterRegistry registry, JvmMetrics jvm, Storage storage,
            Budgets budgets, FleetBudgets fleet, Decisions decisions, Serving serving, ListenerTls tls)
            throws IOException {
        ReplicationMetrics replication = new ReplicationMetrics(registry, serving.replication(), storage.served());
        opened.add(replication, replication::close);
        FleetMetrics fleetMetrics = fleet == null ? null : new FleetMetrics(registry, fleet.sync());
        if (fleetMetrics != null) {
            opened.add(fleetMetrics, fleetMetrics::close);
        }
        TableMetrics tables = new TableMetrics(registry, budgets.reservations(), storage.requestIds());
        opened.add(tables, tables::close);
        MetricsServer server = new MetricsServer(config.metricsHost(), config.metricsPort(), registry,
                serving.replicaHealth()::readiness, decisions.checkMetrics()::flush, tls.metrics());
        opened.add(server, server::close);
        return new Telemetry(server, replication, jvm, fleetMetrics, tables);
    }

    private Reporters reporters(Decisions decisions, Storage storage, Budgets budgets) {
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + sidecarKey);
        ClientInterceptor credential = MetadataUtils.newAttachHeadersInterceptor(auth);
        return new Reporters(
                new LastUsedReporter(decisions.authorizer().lastUsed(), controlPlane, credential, sidecarId),
                new UsageReporter(budgets, storage.served(), controlPlane, credential, sidecarId, config.clock()));
    }

    private static String defaultSidecarId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    /** gRPC server reflection v1alpha, deprecated by grpc-java in favour of v1 but still what older clients ask for. */
    @SuppressWarnings("deprecation")
    private static BindableService reflectionV1Alpha() {
        return ProtoReflectionService.newInstance();
    }
}
