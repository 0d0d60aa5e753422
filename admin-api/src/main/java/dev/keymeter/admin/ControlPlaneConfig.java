package dev.keymeter.admin;

import dev.keymeter.console.ConsoleSettings;
import dev.keymeter.lifecycle.UsageBoard;
import dev.keymeter.replication.ReplicationSettings;
import dev.keymeter.store.StoreSpec;
import dev.keymeter.tls.ServerTlsFiles;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What the control plane needs to start.
 *
 * @param dataDir holds {@code keymeter.db} and, after the first start, the bootstrap key file
 * @param host the admin gRPC listen address (127.0.0.1 by default: the admin API is not for the world)
 * @param port the admin gRPC port; 0 picks a free one
 * @param shutdownGrace how long in-flight calls may finish on shutdown
 * @param replication heartbeats of the Watch streams and the change log's retention
 * @param store where the state lives ({@code --store}); {@code null}: {@code sqlite:<dataDir>/keymeter.db}
 * @param tls the admin listener's certificate (and client CA for mTLS); {@code null}: plaintext
 * @param usageBoard how many sidecars and (key, sidecar) usage figures the usage overview holds
 * @param diskReserveBytes {@code --disk-reserve}: room kept in the data directory (a file of zeros)
 *     and given up when the disk fills, so that revocations still commit; 0: none
 * @param refusalAuditInterval {@code --auth-failure-audit-interval}: refused (unauthenticated or
 *     unauthorized) calls are audited as one summary row per interval at most
 * @param consoleAddress {@code --console-addr}: where the HTTP listener (JSON API, OpenAPI document,
 *     console) listens; {@code null}: no HTTP listener (the default here; the process turns it on)
 * @param console the console's sessions and {@code --console-trusted-user-header}; {@code null}: defaults
 */
public record ControlPlaneConfig(Path dataDir, String host, int port, Duration shutdownGrace, Clock clock,
        ReplicationSettings replication, StoreSpec store, ServerTlsFiles tls, UsageBoard.Bounds usageBoard, long diskReserveBytes,
        Duration refusalAuditInterval, InetSocketAddress consoleAddress, ConsoleSettings console) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9190;
    public static final String DATABASE_FILE = "keymeter.db";
    public static final String BOOTSTRAP_KEY_FILE = "bootstrap-admin-key";
    public static final long DEFAULT_DISK_RESERVE_BYTES = 8L << 20;
    /** A reserve bigger than this would be a mistake of units (it is held on the data directory's disk). */
    public static final long MAX_DISK_RESERVE_BYTES = 1L << 30;
    public static final Duration DEFAULT_REFUSAL_AUDIT_INTERVAL = Duration.ofMinutes(1);

    public ControlPlaneConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(usageBoard, "usageBoard");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0–65535, was " + port);
        }
        if (diskReserveBytes < 0 || diskReserveBytes > MAX_DISK_RESERVE_BYTES) {
            throw new IllegalArgumentException("--disk-reserve must be 0–1GiB, was " + diskReserveBytes + " bytes");
        }
        Objects.requireNonNull(refusalAuditInterval, "refusalAuditInterval");
        console = console == null ? ConsoleSettings.DEFAULTS : console;
        if (refusalAuditInterval.toMillis() < 1_000 || refusalAuditInterval.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("--auth-failure-audit-interval must be between 1s and 1d, was "
                    + refusalAuditInterval);
        }
    }

    /** As the canonical constructor, without an HTTP listener. */
    public ControlPlaneConfig(Path dataDir, String host, int port, Duration shutdownGrace, Clock clock,
            ReplicationSettings replication, StoreSpec store, ServerTlsFiles tls, UsageBoard.Bounds usageBoard,
            long diskReserveBytes, Duration refusalAuditInterval) {
        this(dataDir, host, port, shutdownGrace, clock, replication, store, tls, usageBoard, diskReserveBytes,
                refusalAuditInterval, null, null);
    }

    /** Default replication settings and store; for callers that set none. */
    public ControlPlaneConfig(Path dataDir, String host, int port, Duration shutdownGrace, Clock clock) {
        this(dataDir, host, port, shutdownGrace, clock, ReplicationSettings.defaults(), null, null,
                UsageBoard.Bounds.DEFAULTS, DEFAULT_DISK_RESERVE_BYTES, DEFAULT_REFUSAL_AUDIT_INTERVAL);
    }

    /** Defaults for everything but the data directory. */
    public static ControlPlaneConfig defaults(Path dataDir) {
        return new ControlPlaneConfig(dataDir, DEFAULT_HOST, DEFAULT_PORT, Duration.ofSeconds(10), Clock.systemUTC());
    }

    public ControlPlaneConfig withPort(int newPort) {
        return new ControlPlaneConfig(dataDir, host, newPort, shutdownGrace, clock, replication, store, tls, usageBoard,
                diskReserveBytes, refusalAuditInterval, consoleAddress, console);
    }


    public ControlPlaneConfig withClock(Clock newClock) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, newClock, replication, store, tls, usageBoard,
                diskReserveBytes, refusalAuditInterval, consoleAddress, console);
    }

    public ControlPlaneConfig withReplication(ReplicationSettings newReplication) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, newReplication, store, tls, usageBoard,
                diskReserveBytes, refusalAuditInterval, consoleAddress, console);
    }

    public ControlPlaneConfig withStore(StoreSpec newStore) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, replication, newStore, tls, usageBoard,
                diskReserveBytes, refusalAuditInterval, consoleAddress, console);
    }

    public ControlPlaneConfig withTls(ServerTlsFiles newTls) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, replication, store, newTls, usageBoard,
                diskReserveBytes, refusalAuditInterval, consoleAddress, console);
    }

    /** The usage board's bounds. */
    public ControlPlaneConfig withUsageBoard(UsageBoard.Bounds newBounds) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, replication, store, tls, newBounds,
                diskReserveBytes, refusalAuditInterval, consoleAddress, console);
    }

    public ControlPlaneConfig withDiskReserve(long newBytes) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, replication, store, tls, usageBoard, newBytes,
                refusalAuditInterval, consoleAddress, console);
    }

    public ControlPlaneConfig withRefusalAuditInterval(Duration newInterval) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, replication, store, tls, usageBoard,
                diskReserveBytes, newInterval, consoleAddress, console);
    }

    /** The HTTP listener's address ({@code --console-addr}); {@code null} turns it off. Port 0 picks a free one. */
    public ControlPlaneConfig withConsoleAddress(InetSocketAddress newAddress) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, replication, store, tls, usageBoard,
                diskReserveBytes, refusalAuditInterval, newAddress, console);
    }

    /** The console's sessions and trusted header. */
    public ControlPlaneConfig withConsole(ConsoleSettings newConsole) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, replication, store, tls, usageBoard,
                diskReserveBytes, refusalAuditInterval, consoleAddress, newConsole);
    }

    /** The store to open: the one set, else {@code keymeter.db} in the data directory. */
    public StoreSpec storeSpec() {
        return store != null ? store : StoreSpec.sqlite(databaseFile());
    }

    public Path databaseFile() {
        return dataDir.resolve(DATABASE_FILE);
    }

    public Path bootstrapKeyFile() {
        return dataDir.resolve(BOOTSTRAP_KEY_FILE);
    }
}
