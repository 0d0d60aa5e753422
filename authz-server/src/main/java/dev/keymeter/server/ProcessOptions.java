package dev.keymeter.server;

import dev.keymeter.console.ConsoleSettings;
import dev.keymeter.console.SessionLimits;
import dev.keymeter.check.CheckSettings;
import dev.keymeter.cli.Values;
import dev.keymeter.logging.LogFormat;
import dev.keymeter.routes.RouteTable;
import java.io.IOException;
import java.nio.file.Files;
import dev.keymeter.store.StoreSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import dev.keymeter.fleet.BudgetsStore;
import dev.keymeter.lifecycle.UsageBoard;
import dev.keymeter.sidecar.BudgetSettings;
import dev.keymeter.sidecar.FleetSettings;
import dev.keymeter.sidecar.SidecarBounds;
import dev.keymeter.usage.PriceTable;
import dev.keymeter.usage.PriceTableJson;
import dev.keymeter.usage.UsageSettings;
import picocli.CommandLine.Option;

/**
 * The flags of the process commands ({@code serve}, {@code control-plane}, {@code sidecar}); each
 * defaults to an environment variable, then to a built-in default. A command ignores the flags that
 * do not concern it (the sidecar has no admin address, the control plane no ext_authz port).
 */
final class ProcessOptions {

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:KEYMETER_DATA_DIR:-./data}",
            description = "Where keymeter keeps its data (env KEYMETER_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--admin-addr", paramLabel = "HOST:PORT",
            defaultValue = "${env:KEYMETER_ADMIN_LISTEN:-127.0.0.1:9190}",
            description = "Admin gRPC listen address (env KEYMETER_ADMIN_LISTEN; default ${DEFAULT-VALUE}).")
    String adminAddr;

    @Option(names = "--console-addr", paramLabel = "HOST:PORT|off",
            defaultValue = "${env:KEYMETER_CONSOLE_LISTEN:-127.0.0.1:9193}",
            description = "(serve, control-plane) Where the JSON admin API (/v1/), /openapi.json and the console "
                    + "listen; 'off' for none (env KEYMETER_CONSOLE_LISTEN; default ${DEFAULT-VALUE}).")
    String consoleAddr;

    @Option(names = "--console-trusted-user-header", paramLabel = "HEADER",
            defaultValue = "${env:KEYMETER_CONSOLE_TRUSTED_USER_HEADER:-}",
            description = "(serve, control-plane) A header an authenticating proxy sets to the signed-in person, "
                    + "e.g. X-Forwarded-Email: the console's \"You\" creates user keys for them. Off by default; only "
                    + "with a proxy that replaces the header (env KEYMETER_CONSOLE_TRUSTED_USER_HEADER).")
    String consoleTrustedUserHeader;

    @Option(names = "--authz-addr", paramLabel = "HOST:PORT",
            defaultValue = "${env:KEYMETER_AUTHZ_LISTEN:-127.0.0.1:9191}",
            description = "ext_authz gRPC listen address (env KEYMETER_AUTHZ_LISTEN; default ${DEFAULT-VALUE}).")
    String authzAddr;

    @Option(names = "--metrics-addr", paramLabel = "HOST:PORT",
            defaultValue = "${env:KEYMETER_METRICS_LISTEN:-127.0.0.1:9464}",
            description = "Where /metrics, /healthz and /readyz listen (env KEYMETER_METRICS_LISTEN; "
                    + "default ${DEFAULT-VALUE}).")
    String metricsAddr;

    @Option(names = "--tls-cert", paramLabel = "PEM", defaultValue = "${env:KEYMETER_TLS_CERT}",
            description = "Serve every listener over TLS with this certificate chain; re-read when it changes "
                    + "(env KEYMETER_TLS_CERT; with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", defaultValue = "${env:KEYMETER_TLS_KEY}",
            description = "The certificate's private key, PKCS#8 PEM (env KEYMETER_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--admin-client-ca", paramLabel = "PEM", defaultValue = "${env:KEYMETER_ADMIN_CLIENT_CA}",
            description = "mTLS on the admin listener: require client certificates from these CAs "
                    + "(env KEYMETER_ADMIN_CLIENT_CA).")
    Path adminClientCa;

    @Option(names = "--authz-client-ca", paramLabel = "PEM", defaultValue = "${env:KEYMETER_AUTHZ_CLIENT_CA}",
            description = "mTLS on the ext_authz/usage listener (env KEYMETER_AUTHZ_CLIENT_CA).")
    Path authzClientCa;

    @Option(names = "--metrics-client-ca", paramLabel = "PEM", defaultValue = "${env:KEYMETER_METRICS_CLIENT_CA}",
            description = "mTLS on the metrics listener (env KEYMETER_METRICS_CLIENT_CA).")
    Path metricsClientCa;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "${env:KEYMETER_LOG_FORMAT:-text}",
            description = "Log lines on stderr as text or one JSON object per line (env KEYMETER_LOG_FORMAT; "
                    + "default ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--replica-capacity", paramLabel = "N",
            defaultValue = "${env:KEYMETER_REPLICA_CAPACITY:-100000}",
            description = "Most secret digests the sidecar's replica holds; fixed when its file is created "
                    + "(env KEYMETER_REPLICA_CAPACITY; default ${DEFAULT-VALUE}).")
    long replicaCapacity;

    @Option(names = "--token-headers", paramLabel = "H1,H2", split = ",",
            defaultValue = "${env:KEYMETER_TOKEN_HEADERS:-authorization,x-api-key}",
            description = "Request headers that carry the API key, in order; 'authorization' means "
                    + "'Bearer <key>' (env KEYMETER_TOKEN_HEADERS; default ${DEFAULT-VALUE}).")
    List<String> tokenHeaders;

    @Option(names = "--keep-token-headers", negatable = false,
            defaultValue = "${env:KEYMETER_KEEP_TOKEN_HEADERS:-false}",
            description = "Pass the API key header on to the upstream (default: removed; env KEYMETER_KEEP_TOKEN_HEADERS).")
    boolean keepTokenHeaders;

    @Option(names = "--unknown-route-status", paramLabel = "403|404",
            defaultValue = "${env:KEYMETER_UNKNOWN_ROUTE_STATUS:-403}",
            description = "HTTP status for a route with no (resource, access) mapping "
                    + "(env KEYMETER_UNKNOWN_ROUTE_STATUS; default ${DEFAULT-VALUE}).")
    int unknownRouteStatus;

    @Option(names = "--route-table", paramLabel = "FILE", defaultValue = "${env:KEYMETER_ROUTE_TABLE}",
            description = "JSON route table (see the README); default: the built-in OpenAI-compatible and "
                    + "platform routes (env KEYMETER_ROUTE_TABLE).")
    Path routeTable;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION",
            defaultValue = "${env:KEYMETER_SHUTDOWN_GRACE:-10s}",
            converter = Values.Duration.class,
            description = "How long in-flight calls may finish on SIGTERM, e.g. 10s, 500ms "
                    + "(env KEYMETER_SHUTDOWN_GRACE; default ${DEFAULT-VALUE}).")
    Duration shutdownGrace;

    @Option(names = "--quota-capacity", paramLabel = "N",
            defaultValue = "${env:KEYMETER_QUOTA_CAPACITY:-100000}",
            description = "Most keys with limits the sidecar's persisted counters hold (a usage reset takes "
                    + "a new slot); fixed when the counter file is created (env KEYMETER_QUOTA_CAPACITY; "
                    + "default ${DEFAULT-VALUE}).")
    long quotaCapacity;

    @Option(names = "--prices", paramLabel = "FILE", defaultValue = "${env:KEYMETER_PRICES}",
            description = "JSON price table: model -> USD per million input/output tokens, and the policy for "
                    + "unpriced models (see the README); default: no prices, unpriced models refused for keys "
                    + "with a cost limit (env KEYMETER_PRICES).")
    Path prices;

    @Option(names = "--reservation-ttl", paramLabel = "DURATION",
            defaultValue = "${env:KEYMETER_RESERVATION_TTL:-10m}",
            converter = Values.Duration.class,
            description = "How long a request's reserved tokens and cost wait for its usage before they are "
                    + "charged in full (env KEYMETER_RESERVATION_TTL; default ${DEFAULT-VALUE}).")
    Duration reservationTtl;

    @Option(names = "--max-reservations", paramLabel = "N",
            defaultValue = "${env:KEYMETER_MAX_RESERVATIONS:-1000000}",
            description = "(serve, sidecar) Most reservations waiting for their usage; beyond it the oldest is "
                    + "charged in full at its estimate (env KEYMETER_MAX_RESERVATIONS; default ${DEFAULT-VALUE}).")
    int maxReservations;

    @Option(names = "--max-reservation-tombstones", paramLabel = "N",
            defaultValue = "${env:KEYMETER_MAX_RESERVATION_TOMBSTONES:-1000000}",
            description = "(serve, sidecar) Most expired reservations remembered so that a late report is charged "
                    + "only what it adds; beyond it the oldest is forgotten (env KEYMETER_MAX_RESERVATION_TOMBSTONES; "
                    + "default ${DEFAULT-VALUE}).")
    int maxReservationTombstones;

    @Option(names = "--request-id-capacity", paramLabel = "N",
            defaultValue = "${env:KEYMETER_REQUEST_ID_CAPACITY:-1000000}",
            description = "(serve, sidecar) Most request ids remembered (in <data-dir>/request-ids) so that a "
                    + "retried usage report counts once, also across a restart (env KEYMETER_REQUEST_ID_CAPACITY; "
                    + "default ${DEFAULT-VALUE}).")
    long requestIdCapacity;

    @Option(names = "--request-id-retention", paramLabel = "DURATION",
            defaultValue = "${env:KEYMETER_REQUEST_ID_RETENTION:-1h}",
            converter = Values.Duration.class,
            description = "(serve, sidecar) How long a request id is remembered, 1s–7d (env "
                    + "KEYMETER_REQUEST_ID_RETENTION; default ${DEFAULT-VALUE}).")
    Duration requestIdRetention;

    @Option(names = "--max-replica-staleness", paramLabel = "DURATION",
            defaultValue = "${env:KEYMETER_MAX_REPLICA_STALENESS:-0s}",
            converter = Values.Duration.class,
            description = "(serve, sidecar) Health says NOT_SERVING and /readyz 503 once the replica has not been in "
                    + "step with the control plane for this long; 0s: never, the last known good replica serves "
                    + "(env KEYMETER_MAX_REPLICA_STALENESS; default ${DEFAULT-VALUE}).")
    Duration maxReplicaStaleness;

    @Option(names = "--usage-board-max-entries", paramLabel = "N",
            defaultValue = "${env:KEYMETER_USAGE_BOARD_MAX_ENTRIES:-1000000}",
            description = "(serve, control-plane) Most (key, sidecar) usage figures the usage overview holds "
                    + "(env KEYMETER_USAGE_BOARD_MAX_ENTRIES; default ${DEFAULT-VALUE}).")
    int usageBoardMaxEntries;

    @Option(names = "--usage-history-max-keys", paramLabel = "N",
            defaultValue = "${env:KEYMETER_USAGE_HISTORY_MAX_KEYS:-20000}",
            description = "(serve, control-plane) Most keys whose last 24 hours of usage the console's Overview "
                    + "can chart, about 2.3 KB each (env KEYMETER_USAGE_HISTORY_MAX_KEYS; default ${DEFAULT-VALUE}).")
    int usageHistoryMaxKeys;

    @Option(names = "--usage-board-max-sidecars", paramLabel = "N",
            defaultValue = "${env:KEYMETER_USAGE_BOARD_MAX_SIDECARS:-1000}",
            description = "(serve, control-plane) Most sidecars whose usage figures the usage overview holds "
                    + "(env KEYMETER_USAGE_BOARD_MAX_SIDECARS; default ${DEFAULT-VALUE}).")
    int usageBoardMaxSidecars;

    @Option(names = "--store", paramLabel = "STORE", defaultValue = "${env:KEYMETER_STORE}",
            description = "(serve, control-plane) Where the control plane keeps keys: sqlite:PATH (one machine) or "
                    + "postgresql://[USER@]HOST:PORT/DATABASE[?sslmode=…] (several control planes share it); a "
                    + "password goes in KEYMETER_STORE, KEYMETER_STORE_PASSWORD or --store-password-file, never in "
                    + "this flag (env KEYMETER_STORE; default: sqlite:<data-dir>/keymeter.db).")
    String store;

    @Option(names = "--store-password-file", paramLabel = "FILE", defaultValue = "${env:KEYMETER_STORE_PASSWORD_FILE}",
            description = "(serve, control-plane) A file holding the PostgreSQL password (its first line); "
                    + "env KEYMETER_STORE_PASSWORD_FILE, or the password itself in KEYMETER_STORE_PASSWORD.")
    Path storePasswordFile;

    @Option(names = "--budgets-store", paramLabel = "URI", defaultValue = "${env:KEYMETER_BUDGETS_STORE:-local}",
            description = "Where budgets are counted: local (each sidecar alone), redis://[:PASSWORD@]HOST:PORT, "
                    + "rediss://… (TLS) or redis-cluster://H1:P1,H2:P2 (sidecars share each key's limits; prefer "
                    + "the environment for a password: env KEYMETER_BUDGETS_STORE; default ${DEFAULT-VALUE}).")
    String budgetsStore;

    @Option(names = "--budgets-sync-interval", paramLabel = "DURATION",
            defaultValue = "${env:KEYMETER_BUDGETS_SYNC_INTERVAL:-100ms}",
            converter = Values.Duration.class,
            description = "With a shared budgets store: how often each active key syncs with it, T (a key near "
                    + "its limit syncs every T/4); 10ms–10s (env KEYMETER_BUDGETS_SYNC_INTERVAL; "
                    + "default ${DEFAULT-VALUE}).")
    Duration budgetsSyncInterval;

    @Option(names = "--sidecar-id", paramLabel = "ID", defaultValue = "${env:KEYMETER_SIDECAR_ID}",
            description = "This sidecar's name in the fleet, unique among live sidecars (env KEYMETER_SIDECAR_ID; "
                    + "default: host name/process id, which a restarted container keeps).")
    String sidecarId;

    @Option(names = "--metrics-key-series", paramLabel = "N",
            defaultValue = "${env:KEYMETER_METRICS_KEY_SERIES:-10000}",
            description = "How many keys get per-key metric series of their own; the rest share key_id=\"_other\" "
                    + "(env KEYMETER_METRICS_KEY_SERIES; default ${DEFAULT-VALUE}).")
    int metricsKeySeries;

    @Option(names = "--ingest-token-file", paramLabel = "FILE", defaultValue = "${env:KEYMETER_INGEST_TOKEN_FILE}",
            description = "(serve, sidecar) Ingest tokens the usage ports accept, one sha256:<hex> digest or kmi_ token "
                    + "a line (keymeter ingest-token create); callers with a verified client certificate need none "
                    + "(env KEYMETER_INGEST_TOKEN_FILE; default: <data-dir>/ingest-token, created with a new token).")
    Path ingestTokenFile;

    @Option(names = "--bootstrap-key-file-only", negatable = false,
            defaultValue = "${env:KEYMETER_BOOTSTRAP_KEY_FILE_ONLY:-false}",
            description = "(serve, control-plane) Write the bootstrap admin key only to its 0600 file in the data "
                    + "directory, not to stdout (env KEYMETER_BOOTSTRAP_KEY_FILE_ONLY).")
    boolean bootstrapKeyFileOnly;

    @Option(names = "--max-watch-streams", paramLabel = "N",
            defaultValue = "${env:KEYMETER_MAX_WATCH_STREAMS:-256}",
            description = "(serve, control-plane) Most replication Watch streams (sidecars) served at once; one more "
                    + "is refused RESOURCE_EXHAUSTED (env KEYMETER_MAX_WATCH_STREAMS; default ${DEFAULT-VALUE}).")
    int maxWatchStreams;

    @Option(names = "--watch-send-timeout", paramLabel = "DURATION",
            defaultValue = "${env:KEYMETER_WATCH_SEND_TIMEOUT:-30s}",
            converter = Values.Duration.class,
            description = "(serve, control-plane) A sidecar that reads nothing of its Watch stream for this long is "
                    + "cancelled and its store read released (env KEYMETER_WATCH_SEND_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration watchSendTimeout;

    @Option(names = "--disk-reserve", paramLabel = "SIZE", defaultValue = "${env:KEYMETER_DISK_RESERVE:-8MiB}",
            description = "(serve, control-plane) Room kept in the data directory and given up when the disk fills, so "
                    + "that revocations still commit; 0 for none (env KEYMETER_DISK_RESERVE; default ${DEFAULT-VALUE}).")
    String diskReserve;

    @Option(names = "--auth-failure-audit-interval", paramLabel = "DURATION",
            defaultValue = "${env:KEYMETER_AUTH_FAILURE_AUDIT_INTERVAL:-1m}",
            converter = Values.Duration.class,
            description = "(serve, control-plane) Calls refused for want of a valid key are audited as one summary "
                    + "row per interval at most (env KEYMETER_AUTH_FAILURE_AUDIT_INTERVAL; default ${DEFAULT-VALUE}).")
    Duration authFailureAuditInterval;

    // True by default: picocli's form for such a negatable flag is defaultValue and fallbackValue "true".
    @Option(names = "--warmup", negatable = true, defaultValue = "${env:KEYMETER_WARMUP:-true}", fallbackValue = "true",
            description = "(serve, sidecar) Exercise Check in-process (at most 10000 Checks or 1 s, counted nowhere) "
                    + "before health says SERVING and /readyz 200; --no-warmup: ready as soon as the replica has "
                    + "loaded (env KEYMETER_WARMUP; default ${DEFAULT-VALUE}).")
    boolean warmUp;

    /** Validates every flag; a bad one is an IllegalArgumentException naming it. */
    Settings settings() {
        CheckSettings check = CheckSettings.defaults();
        try {
            check = check.withTokenHeaders(tokenHeaders.stream().map(String::strip).toList())
                    .withRemoveTokenHeaders(!keepTokenHeaders)
                    .withUnknownRouteStatus(unknownRouteStatus);
            if (routeTable != null) {
                check = check.withRoutes(RouteTable.parse(Files.readString(routeTable)));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--route-table: cannot read " + routeTable + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage()
                    + " (check --token-headers, --unknown-route-status and --route-table)");
        }
        PriceTable priceTable = PriceTable.empty();
        if (prices != null) {
            try {
                priceTable = PriceTableJson.read(prices);
            } catch (IOException e) {
                throw new IllegalArgumentException("--prices: cannot read " + prices + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--prices: " + e.getMessage());
            }
        }
        BudgetSettings budgets = new BudgetSettings(quotaCapacity, priceTable, reservationTtl, UsageSettings.defaults(),
                new FleetSettings(BudgetsStore.parse(budgetsStore), budgetsSyncInterval, sidecarId));
        Path data = dataDir.toAbsolutePath().normalize();
        SidecarBounds bounds = new SidecarBounds(maxReservations, maxReservationTombstones, requestIdCapacity,
                requestIdRetention, maxReplicaStaleness);
        return new Settings(data, HostPort.parse("--admin-addr", adminAddr),
                HostPort.parse("--authz-addr", authzAddr), replicaCapacity, check,
                shutdownGrace, HostPort.parse("--metrics-addr", metricsAddr), LogFormat.parse(logFormat), budgets,
                metricsKeySeries, storeSpec(data), ingestTokenFile,
                new TlsSettings(tlsCert, tlsKey, adminClientCa, authzClientCa, metricsClientCa), bounds,
                new UsageBoard.Bounds(usageBoardMaxSidecars, usageBoardMaxEntries, usageHistoryMaxKeys),
                new ControlPlaneBounds(maxWatchStreams, watchSendTimeout,
                        ControlPlaneBounds.bytes("--disk-reserve", diskReserve), authFailureAuditInterval),
                consoleAddress(), new ConsoleSettings(SessionLimits.DEFAULTS,
                        consoleTrustedUserHeader == null ? "" : consoleTrustedUserHeader.strip()), warmUp);
    }

    /** {@code --console-addr}: {@code null} for {@code off}. */
    HostPort consoleAddress() {
        String value = consoleAddr == null ? "" : consoleAddr.strip();
        if (value.equalsIgnoreCase("off")) {
            return null;
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException("--console-addr must be HOST:PORT or 'off', was empty");
        }
        return HostPort.parse("--console-addr", value);
    }

    /** {@code --store} with its password from the file or the environment; {@code null} for the default. */
    StoreSpec storeSpec(Path data) {
        if (store == null || store.isBlank()) {
            if (storePasswordFile != null) {
                throw new IllegalArgumentException("--store-password-file needs a PostgreSQL --store");
            }
            return null;
        }
        StoreSpec spec = StoreSpec.parse(store.strip(), data);
        String password = null;
        if (storePasswordFile != null) {
            try {
                password = Files.readAllLines(storePasswordFile).stream().findFirst().orElse("").strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("--store-password-file: cannot read " + storePasswordFile + ": "
                        + e.getMessage());
            }
            if (password.isEmpty()) {
                throw new IllegalArgumentException("--store-password-file: " + storePasswordFile + " is empty");
            }
        } else if (spec.postgres() && System.getenv("KEYMETER_STORE_PASSWORD") != null) {
            password = System.getenv("KEYMETER_STORE_PASSWORD");
        }
        if (password != null) {
            if (!spec.postgres()) {
                throw new IllegalArgumentException("a store password applies to a PostgreSQL --store, not to " + spec);
            }
            spec = spec.withPassword(password);
        }
        return spec;
    }
}
