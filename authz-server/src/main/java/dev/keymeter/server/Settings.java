package dev.keymeter.server;

import dev.keymeter.console.ConsoleSettings;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.check.CheckSettings;
import dev.keymeter.ingest.IngestTokens;
import dev.keymeter.lifecycle.UsageBoard;
import dev.keymeter.logging.LogFormat;
import dev.keymeter.sidecar.BudgetSettings;
import dev.keymeter.sidecar.SidecarBounds;
import dev.keymeter.sidecar.SidecarConfig;
import dev.keymeter.sidecar.WarmUpSettings;
import dev.keymeter.store.StoreSpec;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Every setting of a keymeter process, with its defaults, validated once at start-up. Each comes
 * from a flag or, when the flag is absent, from an environment variable; the README's configuration
 * table lists exactly these.
 *
 * @param dataDir {@code --data-dir} / {@code KEYMETER_DATA_DIR}, default {@code ./data}
 * @param adminAddress {@code --admin-addr} / {@code KEYMETER_ADMIN_LISTEN}, default {@code 127.0.0.1:9190}
 * @param authzAddress {@code --authz-addr} / {@code KEYMETER_AUTHZ_LISTEN}, default {@code 127.0.0.1:9191}
 * @param replicaCapacity {@code --replica-capacity} / {@code KEYMETER_REPLICA_CAPACITY}, default 100,000
 * @param check token headers, their removal, the unknown-route status and the route table
 * @param shutdownGrace {@code --shutdown-grace} / {@code KEYMETER_SHUTDOWN_GRACE}, default {@code 10s}
 * @param metricsAddress {@code --metrics-addr} / {@code KEYMETER_METRICS_LISTEN}, default {@code 127.0.0.1:9464}
 * @param logFormat {@code --log-format} / {@code KEYMETER_LOG_FORMAT}, {@code text} (default) or {@code json}
 * @param budgets {@code --quota-capacity}, {@code --prices}, {@code --reservation-ttl}
 * @param metricsKeySeries {@code --metrics-key-series} / {@code KEYMETER_METRICS_KEY_SERIES}, default 10,000
 * @param store {@code --store} / {@code KEYMETER_STORE} with its password; {@code null}: {@code sqlite:<dataDir>/keymeter.db}
 * @param ingestTokenFile {@code --ingest-token-file} / {@code KEYMETER_INGEST_TOKEN_FILE}; {@code null}:
 *     {@code <dataDir>/ingest-token}, created with a new token on the first start
 * @param tls the listeners' certificate and client CAs ({@link TlsSettings#NONE}: plaintext)
 * @param bounds {@code --max-reservations}, {@code --max-reservation-tombstones}, {@code --request-id-capacity},
 *     {@code --request-id-retention}, {@code --max-replica-staleness}
 * @param usageBoard {@code --usage-board-max-sidecars}, {@code --usage-board-max-entries}
 * @param controlPlaneBounds Watch streams, the disk reserve and the audit of refused calls
 * @param consoleAddress {@code --console-addr} / {@code KEYMETER_CONSOLE_LISTEN}, default {@code 127.0.0.1:9193};
 *     {@code null} ({@code off}): no HTTP listener
 * @param console the console's sessions and {@code --console-trusted-user-header}
 * @param warmUp {@code --warmup} / {@code --no-warmup} / {@code KEYMETER_WARMUP}, default on
 */
public record Settings(Path dataDir, HostPort adminAddress, HostPort authzAddress, long replicaCapacity,
        CheckSettings check, Duration shutdownGrace, HostPort metricsAddress, LogFormat logFormat,
        BudgetSettings budgets, int metricsKeySeries, StoreSpec store, Path ingestTokenFile, TlsSettings tls,
        SidecarBounds bounds, UsageBoard.Bounds usageBoard, ControlPlaneBounds controlPlaneBounds,
        HostPort consoleAddress, ConsoleSettings console, boolean warmUp) {

    public Settings {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(bounds, "bounds");
        Objects.requireNonNull(usageBoard, "usageBoard");
        Objects.requireNonNull(controlPlaneBounds, "controlPlaneBounds");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(adminAddress, "adminAddress");
        Objects.requireNonNull(authzAddress, "authzAddress");
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(metricsAddress, "metricsAddress");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(budgets, "budgets");
        if (shutdownGrace.isNegative() || shutdownGrace.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("--shutdown-grace must be between 0s and 10m, was " + shutdownGrace);
        }
        if (replicaCapacity < 1 || replicaCapacity > 100_000_000) {
            throw new IllegalArgumentException("--replica-capacity must be 1–100000000, was " + replicaCapacity);
        }
    }

    public ControlPlaneConfig controlPlane() {
        return controlPlaneBounds.apply(new ControlPlaneConfig(dataDir, adminAddress.host(), adminAddress.port(),
                shutdownGrace, Clock.systemUTC()).withStore(store).withTls(tls.admin()).withUsageBoard(usageBoard))
                .withConsoleAddress(consoleAddress == null ? null
                        : new InetSocketAddress(consoleAddress.host(), consoleAddress.port()))
                .withConsole(console);
    }

    public SidecarConfig sidecar() {
        return new SidecarConfig(dataDir.resolve("replica"), authzAddress.host(), authzAddress.port(), replicaCapacity,
                check, Duration.ofSeconds(5), shutdownGrace, Clock.systemUTC(), metricsAddress.host(),
                metricsAddress.port(), budgets, metricsKeySeries, IngestTokens.none(), tls.authz(), tls.metrics(),
                bounds, WarmUpSettings.of(warmUp));
    }
}
