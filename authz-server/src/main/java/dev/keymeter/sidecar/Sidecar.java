package dev.keymeter.sidecar;

import dev.keymeter.check.LastUsedTracker;
import dev.keymeter.grpc.GracefulStop;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.replica.ReplicationClient;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.UsageLedger;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar: its persisted replica, the replication client that feeds it from the control plane,
 * the ext_authz server (with health and reflection), the last-used reporter, and the Prometheus
 * endpoint ({@code /metrics}, {@code /healthz}, {@code /readyz}).
 *
 * <p>Health says NOT_SERVING until Check's path has been warmed up ({@link WarmUp}, at most 1 s; off
 * with {@code --no-warmup}) and the replica has loaded once (in the life of its file: after a restart
 * the replica on disk serves at once, also while the control plane is down), and — with
 * {@code --max-replica-staleness} — while it has not been in step with the control plane for longer
 * than that ({@link ReplicaHealth}). Until the replica has loaded, Check answers UNAVAILABLE, so
 * Envoy's {@code status_on_error} applies: the sidecar fails closed.
 *
 * <p>{@link #start} is {@link SidecarStart}: one step per part, and a failed start closes what it opened.
 */
public final class Sidecar implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("keymeter.sidecar");

    private final SidecarConfig config;
    private final Storage storage;
    private final Serving serving;
    private final Telemetry telemetry;
    private final Decisions decisions;
    private final Reporters reporters;
    private final Budgets budgets;
    /** Shared budgets' store and sync, or {@code null} when this sidecar counts alone. */
    private final FleetBudgets fleet;
    /** The listeners' certificates, re-read from disk while they serve. */
    private final ListenerTls tls;
    private final ScheduledExecutorService scheduler;
    /** Merges the Check threads' logs; its own thread, so that a slow report never delays it. */
    private final ScheduledExecutorService merges;
    /** Check's path exercised before the sidecar says it is ready; {@code null} with {@code --no-warmup}. */
    private final WarmUp warmUp;
    private final Thread warmUpThread;
    private volatile WarmUp.Result warmUpResult;

    /** Takes over the parts {@link SidecarStart} opened, and starts the background tasks. */
    Sidecar(SidecarConfig config, Storage storage, Serving serving, Telemetry telemetry, Decisions decisions,
            Reporters reporters, Budgets budgets, FleetBudgets fleet, ListenerTls tls) {
        this.config = config;
        this.storage = storage;
        this.serving = serving;
        this.telemetry = telemetry;
        this.decisions = decisions;
        this.reporters = reporters;
        this.budgets = budgets;
        this.fleet = fleet;
        this.tls = tls;
        this.scheduler = daemonScheduler("keymeter-sidecar-background");
        this.merges = daemonScheduler("keymeter-sidecar-merge");
        this.warmUp = config.warmUp().enabled() ? new WarmUp(config.warmUp(), storage.replica(), config) : null;
        if (warmUp == null) {
            serving.replicaHealth().warmedUp();
        }
        // Health follows the replica from the first moment: a restarted sidecar whose replica is
        // already loaded (and --no-warmup) says SERVING before start returns, not after the scheduler's
        // first run.
        updateHealth();
        scheduleBackground();
        this.warmUpThread = warmUp == null ? null : startWarmUp();
    }

    /** Runs the warm-up on a thread of its own, then lets health follow the replica, failed or not. */
    private Thread startWarmUp() {
        Thread thread = new Thread(() -> {
            try {
                WarmUp.Result result = warmUp.run();
                warmUpResult = result;
                LOG.log(System.Logger.Level.INFO, "warm-up: {0} Checks in {1} ms before reporting ready"
                        + " (--no-warmup skips it)", Integer.toString(result.checks()), Long.toString(result.millis()));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "warm-up failed, reporting ready without it: {0}", e.toString());
            } finally {
                serving.replicaHealth().warmedUp();
                updateHealth();
            }
        }, "keymeter-warmup");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Where Check notes key uses for the last-used reports. */
    LastUsedTracker lastUsed() {
        return decisions.authorizer().lastUsed();
    }

    /** What the warm-up did; {@code null} while it runs, when it failed or was off. */
    WarmUp.Result warmUpResult() {
        return warmUpResult;
    }

    /**
     * Opens (or rebuilds) the replica, starts serving Check, and starts following the control plane
     * on {@code controlPlane} with {@code sidecarKey} (a sidecar credential, {@code kmc_…}). A start
     * that fails closes what it had opened (threads, ports, files) before it throws.
     */
    public static Sidecar start(SidecarConfig config, ManagedChannel controlPlane, String sidecarKey)
            throws IOException {
        return SidecarStart.run(config, controlPlane, sidecarKey);
    }

    private void scheduleBackground() {
        scheduler.scheduleWithFixedDelay(this::updateHealth, 50, 50, TimeUnit.MILLISECONDS);
        // Check threads log key uses and allowed requests per key; the lookups that note them
        // happen here, off the hot path, on a thread of their own: the reports below block for up
        // to their deadline while the control plane is away, and full logs would send the Check
        // threads back to doing the lookups themselves.
        merges.scheduleWithFixedDelay(() -> {
            decisions.authorizer().lastUsed().mergeLogs();
            decisions.checkMetrics().flush();
        }, 50, 50, TimeUnit.MILLISECONDS);
        long every = config.lastUsedInterval().toMillis();
        scheduler.scheduleWithFixedDelay(reporters.lastUsed()::report, every, every, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(reporters.usage()::report, every, every, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::expireReservations, 1, 1, TimeUnit.SECONDS);
    }

    private void updateHealth() {
        ServingStatus status = serving.replicaHealth().serving() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        serving.health().setStatus("", status);
        serving.health().setStatus(AuthorizationGrpc.SERVICE_NAME, status);
    }

    /** The registry behind this sidecar's {@code /metrics}. */
    public PrometheusMeterRegistry meterRegistry() {
        return telemetry.server().registry();
    }

    public int port() {
        return serving.server().getPort();
    }

    public String host() {
        return config.host();
    }

    public ChronicleKeyReplica replica() {
        return storage.replica();
    }

    public ReplicationClient replication() {
        return serving.replication();
    }

    /** Where {@code /metrics}, {@code /healthz} and {@code /readyz} listen. */
    public int metricsPort() {
        return telemetry.server().port();
    }

    /** Reports pending last-used times now (the scheduler does it every interval). */
    public void reportLastUsed() {
        onScheduler(reporters.lastUsed()::report, "last-used report");
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
            decisions.ledger().expireReservations();
        } catch (RuntimeException e) {
            // Never let one failure end the schedule: the next run tries again.
            LOG.log(System.Logger.Level.WARNING,
                    "charging expired reservations failed: " + e);
        }
    }

    /** The budgets Check enforces (counters, prices, reservations). */
    public Budgets budgets() {
        return budgets;
    }

    /** The ledger that settles usage (the access-log and Report services call it). */
    public UsageLedger ledger() {
        return decisions.ledger();
    }

    /** Reports usage figures to the control plane now (the scheduler does it every interval). */
    public void reportUsage() {
        onScheduler(reporters.usage()::report, "usage report");
    }

    public void awaitTermination() throws InterruptedException {
        serving.server().awaitTermination();
    }

    /** Stops taking checks, lets in-flight ones finish, stops replication, reports, closes the replica. */
    @Override
    public void close() {
        stopWarmUp();
        serving.health().enterTerminalState();
        serving.server().shutdown();
        GracefulStop.awaitOrForce(serving.server(), config.shutdownGrace());
        serving.replication().close();
        telemetry.close();
        merges.shutdownNow(); // the reports below drain what is still logged
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            reporters.lastUsed().report();
            reporters.usage().report();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException lastReportFailed) {
            // The control plane may already be gone (serve shuts it down after us); nothing is lost but
            // the last few last-used times.
        }
        if (fleet != null) {
            fleet.close();
        }
        storage.counters().close();
        try {
            storage.requestIds().close();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING,
                    "closing the request-id files failed (the next start recovers them): " + e);
        }
        storage.replica().close();
        tls.close();
    }

    private void stopWarmUp() {
        if (warmUpThread == null) {
            return;
        }
        warmUp.stop();
        try {
            warmUpThread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
}
