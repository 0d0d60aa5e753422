package dev.keymeter.sidecar;

import dev.keymeter.check.CheckSettings;
import dev.keymeter.ingest.IngestTokens;
import dev.keymeter.metrics.MetricsServer;
import dev.keymeter.tls.ServerTlsFiles;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What the sidecar needs to start.
 *
 * @param replicaDir where the persisted replica lives
 * @param host the ext_authz listen host (127.0.0.1 by default: Envoy runs beside it)
 * @param port the ext_authz port; 0 picks a free one
 * @param replicaCapacity the most secret digests the replica holds (each key has one, two while a
 *     rotated secret is in its grace period); fixed when the replica file is created
 * @param lastUsedInterval how often last-used times go to the control plane
 * @param metricsHost where {@code /metrics}, {@code /healthz} and {@code /readyz} listen
 * @param metricsPort their port; 0 picks a free one
 * @param budgets counters, prices and reservations
 * @param metricsKeySeries how many keys get per-key metric series of their own (the rest share
 *     {@code key_id="_other"})
 * @param ingest the ingest tokens the usage ports accept (callers with a verified client certificate
 *     need none); {@link IngestTokens#none()} by default: usage ingestion is never open
 * @param authzTls the ext_authz/usage listener's certificate (and client CA for mTLS); {@code null}: plaintext
 * @param metricsTls the metrics listener's, likewise
 * @param bounds what the sidecar's tables hold at most, and how stale its replica may get
 * @param warmUp whether (and how long) Check is exercised in-process before the sidecar says it is ready
 */
public record SidecarConfig(Path replicaDir, String host, int port, long replicaCapacity, CheckSettings check,
        Duration lastUsedInterval, Duration shutdownGrace, Clock clock, String metricsHost, int metricsPort,
        BudgetSettings budgets, int metricsKeySeries, IngestTokens ingest, ServerTlsFiles authzTls,
        ServerTlsFiles metricsTls, SidecarBounds bounds, WarmUpSettings warmUp) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9191;
    /** Room for 100,000 secrets: ~88 MB of disk, preallocated. Large fleets raise it (1 M: ~860 MB). */
    public static final long DEFAULT_CAPACITY = 100_000;
    /** Per-key metric series before the rest fold into {@code _other}. */
    public static final int DEFAULT_KEY_SERIES = 10_000;

    public SidecarConfig {
        Objects.requireNonNull(replicaDir, "replicaDir");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(lastUsedInterval, "lastUsedInterval");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(budgets, "budgets");
        Objects.requireNonNull(ingest, "ingest");
        Objects.requireNonNull(bounds, "bounds");
        Objects.requireNonNull(warmUp, "warmUp");
        if (metricsKeySeries < 0 || metricsKeySeries > 1_000_000) {
            throw new IllegalArgumentException("--metrics-key-series must be 0–1000000, was " + metricsKeySeries);
        }
        if (replicaCapacity < 1 || replicaCapacity > 100_000_000) {
            throw new IllegalArgumentException("--replica-capacity must be 1–100000000, was " + replicaCapacity);
        }
    }

    /** Defaults for everything but the replica directory. */
    public static SidecarConfig defaults(Path replicaDir) {
        return new SidecarConfig(replicaDir, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_CAPACITY, CheckSettings.defaults(),
                Duration.ofSeconds(5), Duration.ofSeconds(10), Clock.systemUTC(), MetricsServer.DEFAULT_HOST,
                MetricsServer.DEFAULT_PORT, BudgetSettings.defaults(), DEFAULT_KEY_SERIES,
                IngestTokens.none(), null, null, SidecarBounds.defaults(), WarmUpSettings.DEFAULT);
    }

    /** Where the request ids of counted usage live: beside the replica, in their own directory. */
    public Path requestIdsDir() {
        return replicaDir.resolveSibling("request-ids");
    }

    /** The tables' bounds and the replica's staleness bound. */
    public SidecarConfig withBounds(SidecarBounds newBounds) {
        return new SidecarConfig(replicaDir, host, port, replicaCapacity, check, lastUsedInterval, shutdownGrace,
                clock, metricsHost, metricsPort, budgets, metricsKeySeries, ingest, authzTls, metricsTls,
                newBounds, warmUp);
    }

    /** With reports (last-used times, usage figures, applied revision) sent every {@code every}. */
    public SidecarConfig withReportInterval(Duration every) {
        return new SidecarConfig(replicaDir, host, port, replicaCapacity, check, every, shutdownGrace,
                clock, metricsHost, metricsPort, budgets, metricsKeySeries, ingest, authzTls, metricsTls,
                bounds, warmUp);
    }

    /** With {@code newClock} for everything that tells time. */
    public SidecarConfig withClock(Clock newClock) {
        return new SidecarConfig(replicaDir, host, port, replicaCapacity, check, lastUsedInterval, shutdownGrace,
                newClock, metricsHost, metricsPort, budgets, metricsKeySeries, ingest, authzTls, metricsTls,
                bounds, warmUp);
    }

    /** Where the persisted counters live: beside the replica, in its own directory. */
    public Path countersDir() {
        return replicaDir.resolveSibling("counters");
    }

    /** Where the keys whose spend is unknown are kept ({@code SpendUnknownFile}): beside the counters. */
    public Path spendUnknownFile() {
        return replicaDir.resolveSibling("spend-unknown");
    }

    public SidecarConfig withBudgets(BudgetSettings newBudgets) {
        return new SidecarConfig(replicaDir, host, port, replicaCapacity, check, lastUsedInterval, shutdownGrace,
                clock, metricsHost, metricsPort, newBudgets, metricsKeySeries, ingest, authzTls, metricsTls,
                bounds, warmUp);
    }


    /** The ext_authz and metrics ports (0 for free ones, as tests want). */
    public SidecarConfig withPorts(int newPort, int newMetricsPort) {
        return new SidecarConfig(replicaDir, host, newPort, replicaCapacity, check, lastUsedInterval, shutdownGrace,
                clock, metricsHost, newMetricsPort, budgets, metricsKeySeries, ingest, authzTls, metricsTls,
                bounds, warmUp);
    }

    /** The ext_authz and metrics listeners with TLS ({@code null}: plaintext). */
    public SidecarConfig withTls(ServerTlsFiles newAuthzTls, ServerTlsFiles newMetricsTls) {
        return new SidecarConfig(replicaDir, host, port, replicaCapacity, check, lastUsedInterval, shutdownGrace,
                clock, metricsHost, metricsPort, budgets, metricsKeySeries, ingest, newAuthzTls, newMetricsTls,
                bounds, warmUp);
    }

    /** The ingest tokens the usage ports accept. */
    public SidecarConfig withIngest(IngestTokens newIngest) {
        return new SidecarConfig(replicaDir, host, port, replicaCapacity, check, lastUsedInterval, shutdownGrace,
                clock, metricsHost, metricsPort, budgets, metricsKeySeries, newIngest, authzTls, metricsTls,
                bounds, warmUp);
    }

    /** With Check warmed up as {@code newWarmUp} says before the sidecar reports ready. */
    public SidecarConfig withWarmUp(WarmUpSettings newWarmUp) {
        return new SidecarConfig(replicaDir, host, port, replicaCapacity, check, lastUsedInterval, shutdownGrace,
                clock, metricsHost, metricsPort, budgets, metricsKeySeries, ingest, authzTls, metricsTls, bounds,
                newWarmUp);
    }
}
