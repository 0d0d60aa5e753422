package dev.keymeter.server;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.files.OwnerOnly;
import dev.keymeter.ingest.IngestTokenFile;
import dev.keymeter.ingest.IngestTokens;
import dev.keymeter.lifecycle.IssuedKey;
import dev.keymeter.metrics.MetricsServer;
import dev.keymeter.sidecar.Sidecar;
import dev.keymeter.tls.ServerTls;
import io.grpc.ManagedChannel;
import dev.keymeter.lifecycle.UsageBoard;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the parts of a process mode, says where each listens, prints the bootstrap admin key the
 * one time it is created, and stops gracefully on SIGTERM (or Ctrl-C): parts close in reverse order
 * of start (the sidecar before the control plane that feeds it), each letting in-flight calls finish
 * within the grace period.
 */
final class ProcessRunner {

    private final String mode;
    private final Settings settings;
    private final PrintWriter out;
    private final PrintWriter err;
    private final List<AutoCloseable> started = new ArrayList<>();
    private boolean bootstrapKeyFileOnly;

    ProcessRunner(String mode, Settings settings, PrintWriter out, PrintWriter err) {
        this.mode = mode;
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    /** {@code --bootstrap-key-file-only}: the bootstrap admin key goes to its file, not to stdout. */
    ProcessRunner bootstrapKeyFileOnly(boolean fileOnly) {
        this.bootstrapKeyFileOnly = fileOnly;
        return this;
    }

    /** {@code keymeter serve}: the control plane and a sidecar fed through an in-process channel. */
    int serve() {
        return run(() -> {
            ControlPlane cp = startControlPlane();
            Sidecar sidecar = startSidecar(cp.inProcessChannel(), "");
            // One /metrics for the one process: the control plane's meters beside the sidecar's.
            usageBoardMeters(sidecar.meterRegistry(), cp.rules().usageBoard());
            ControlPlaneMeters.register(cp, sidecar.meterRegistry());
        });
    }

    /**
     * {@code keymeter control-plane}, with {@code /healthz}, {@code /readyz} (503 while the store does
     * not answer) and {@code /metrics} ({@code keymeter_store_up}) on the metrics address.
     */
    int controlPlane() {
        return run(() -> {
            ControlPlane cp = startControlPlane();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Gauge.builder("keymeter_store_up", cp, plane -> plane.storeReachable() ? 1 : 0)
                    .description("1 while the key store answered its last health check, else 0")
                    .register(registry);
            usageBoardMeters(registry, cp.rules().usageBoard());
            ControlPlaneMeters.register(cp, registry);
            ServerTls tls = settings.tls().metrics() == null ? null : ServerTls.load(settings.tls().metrics());
            if (tls != null) {
                started.add(tls);
            }
            MetricsServer http = new MetricsServer(settings.metricsAddress().host(), settings.metricsAddress().port(),
                    registry, cp::storeReachable, () -> { }, tls);
            started.add(http);
            out.println("  metrics        : " + new HostPort(settings.metricsAddress().host(), http.port())
                    + " (/metrics, /healthz, /readyz: 503 while the store does not answer; "
                    + (tls == null ? "plaintext" : tls.describe()) + ")");
            warnIfExposed("--metrics-addr", settings.metricsAddress(), tls == null);
        });
    }

    /** {@code keymeter sidecar}: follows a control plane elsewhere with an admin key. */
    int sidecar(ManagedChannel controlPlane, String target, String key, AutoCloseable channelTls) {
        if (channelTls != null) {
            started.add(channelTls);
        }
        started.add(controlPlane::shutdownNow);
        return run(() -> {
            startSidecar(controlPlane, key);
            out.println("  control plane  : " + target);
        });
    }

    private interface Starter {
        void start() throws IOException;
    }

    private int run(Starter starter) {
        settings.logFormat().install();
        out.println("keymeter " + mode + " starting");
        out.println("  runtime        : " + RuntimeTuning.describe());
        try {
            OwnerOnly.prepareDataDirectory(settings.dataDir()); // 0700, or refused when others may write to it
            TempDirectory.requireUsable(TempDirectory.current());
            starter.start();
        } catch (IOException | RuntimeException e) {
            err.println("error: keymeter " + mode + " could not start: " + rootMessage(e));
            err.flush();
            closeAll();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("keymeter: shutting down (grace " + settings.shutdownGrace().toSeconds() + "s)");
            out.flush();
            closeAll();
            out.println("keymeter: stopped");
            out.flush();
            stopped.countDown();
        }, "keymeter-shutdown"));
        out.println("Press Ctrl-C (or send SIGTERM) to stop.");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private ControlPlane startControlPlane() throws IOException {
        ControlPlane cp = ControlPlane.start(settings.controlPlane());
        started.add(cp);
        out.println("  data directory : " + settings.dataDir());
        out.println("  store          : " + settings.controlPlane().storeSpec()
                + (settings.controlPlane().storeSpec().postgres() ? " (shared: other control planes may use it)" : ""));
        out.println("  admin API      : " + new HostPort(cp.host(), cp.port()) + " (gRPC, with health and reflection; "
                + cp.transport() + ")");
        warnIfExposed("--admin-addr", settings.adminAddress(), settings.tls().admin() == null);
        cp.consoleUrl().ifPresent(url -> {
            out.println("  console        : " + url + " (JSON API under /v1/, /openapi.json)");
            warnIfExposed("--console-addr", settings.consoleAddress(), settings.tls().admin() == null);
        });
        cp.bootstrapKey().ifPresentOrElse(key -> bootstrapNotice(key, cp), () -> {
            if (Files.exists(cp.bootstrapKeyFile())) {
                out.println("  warning        : " + cp.bootstrapKeyFile()
                        + " still holds the bootstrap admin key; delete it once the key is stored safely");
            }
        });
        return cp;
    }

    private Sidecar startSidecar(ManagedChannel controlPlane, String key) throws IOException {
        IngestTokenFile.Loaded ingest = loadIngestTokens();
        Sidecar sidecar = Sidecar.start(settings.sidecar().withIngest(ingest.tokens()), controlPlane, key);
        started.add(sidecar);
        out.println("  ext_authz      : " + new HostPort(sidecar.host(), sidecar.port())
                + " (envoy.service.auth.v3.Authorization; health NOT_SERVING until warmed up and the replica has"
                + " loaded; "
                + sidecar.transport() + ")");
        warnIfExposed("--authz-addr", settings.authzAddress(), settings.tls().authz() == null);
        out.println("  usage in       : same port (envoy.service.accesslog.v3.AccessLogService, keymeter.usage.v1.UsageService)");
        out.println("  ingest tokens  : " + ingest.file() + " (" + ingest.tokens().size() + (ingest.created()
                ? " new token: send it as gRPC metadata " + IngestTokens.HEADER + ")" : " accepted)"));
        out.println("  metrics        : " + new HostPort(settings.metricsAddress().host(), sidecar.metricsPort())
                + " (/metrics, /healthz, /readyz; " + sidecar.metricsTransport() + ")");
        warnIfExposed("--metrics-addr", settings.metricsAddress(), settings.tls().metrics() == null);
        out.println("  replica        : " + settings.sidecar().replicaDir() + " (capacity "
                + settings.replicaCapacity() + " secrets, " + (sidecar.replica().isLoaded()
                        ? "loaded at revision " + sidecar.replica().appliedRevision() : "loading") + ")");
        var budgets = settings.budgets();
        out.println("  counters       : " + settings.sidecar().countersDir() + " (capacity " + budgets.counterCapacity()
                + " keys; " + budgets.prices().size() + " model prices, unpriced models: "
                + budgets.prices().policy().name().toLowerCase(java.util.Locale.ROOT) + "; reservation TTL "
                + budgets.reservationTtl().toSeconds() + "s)");
        var bounds = settings.sidecar().bounds();
        out.println("  request ids    : " + settings.sidecar().requestIdsDir() + " (capacity " + bounds.requestIds()
                + ", kept " + bounds.requestIdRetention().toMinutes() + " min; reservations at most "
                + bounds.maxReservations() + " open, " + bounds.maxTombstones() + " tombstones)");
        out.println("  staleness      : " + (bounds.stalenessBounded() ? "NOT_SERVING after "
                + bounds.maxReplicaStaleness().toSeconds() + "s without the control plane (--max-replica-staleness)"
                : "the last known good replica serves while the control plane is away (--max-replica-staleness 0s)"));
        out.println("  budgets        : " + (budgets.fleet().shared()
                ? "shared through " + budgets.fleet().store() + " (sync every " + budgets.fleet().syncInterval().toMillis()
                        + " ms; sidecars alive: " + sidecar.budgets().fleet().sidecars() + ")"
                : "counted by this sidecar alone (--budgets-store local)"));
        return sidecar;
    }

    /** The usage overview's bounded board: its size against its bounds, and what did not fit. */
    private static void usageBoardMeters(PrometheusMeterRegistry registry, UsageBoard board) {
        Gauge.builder("keymeter_usage_board_entries", board, UsageBoard::entries)
                .description("(key, sidecar) usage figures held for the usage overview").register(registry);
        Gauge.builder("keymeter_usage_board_max_entries", board, UsageBoard::maxEntries)
                .description("Most figures held (--usage-board-max-entries)").register(registry);
        Gauge.builder("keymeter_usage_board_sidecars", board, UsageBoard::sidecars)
                .description("Sidecars whose figures are held").register(registry);
        Gauge.builder("keymeter_usage_board_max_sidecars", board, UsageBoard::maxSidecars)
                .description("Most sidecars held (--usage-board-max-sidecars)").register(registry);
        FunctionCounter.builder("keymeter_usage_board_refused", board, UsageBoard::refused)
                .description("Usage figures not recorded because the board was full").register(registry);
    }

    /**
     * A plaintext listener beyond loopback is readable and writable by anyone on the network: say so,
     * naming the flag, and how to fix it. (Not an error: a mesh sidecar may be doing TLS in front.)
     */
    private void warnIfExposed(String flag, HostPort address, boolean plaintext) {
        if (plaintext && !address.loopback()) {
            err.println("warning: " + flag + " " + address + " listens beyond loopback in plaintext; anyone who "
                    + "reaches it can call it: set --tls-cert and --tls-key (or keep it behind a mesh that does TLS)");
            err.flush();
        }
    }

    /** {@code --ingest-token-file}, or the data directory's own; a bad file names the flag. */
    private IngestTokenFile.Loaded loadIngestTokens() throws IOException {
        try {
            return IngestTokenFile.load(settings.ingestTokenFile(), settings.dataDir());
        } catch (IllegalArgumentException | java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("--ingest-token-file: " + e.getMessage()
                    + (e instanceof java.nio.file.NoSuchFileException ? " does not exist" : ""));
        }
    }

    private void closeAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                err.println("warning: while stopping: " + rootMessage(e));
            }
        }
        started.clear();
    }

    private void bootstrapNotice(IssuedKey key, ControlPlane cp) {
        if (bootstrapKeyFileOnly) {
            out.println("  bootstrap key  : " + key.key().id() + " created; its token is only in "
                    + cp.bootstrapKeyFile() + " (mode 0600, --bootstrap-key-file-only). Store it safely, then delete"
                    + " that file.");
            return;
        }
        out.println();
        out.println("Bootstrap admin key (" + key.key().id() + "), shown this once:");
        out.println();
        out.println("    " + key.token());
        out.println();
        out.println("It is also in " + cp.bootstrapKeyFile() + " (mode 0600). Store it safely, then delete that file.");
        out.println("Use it with the CLI:  export KEYMETER_ADMIN_KEY=<the key above>");
        out.println();
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
