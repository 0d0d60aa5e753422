package dev.keymeter.admin;

import dev.keymeter.lifecycle.UsageBoard;
import dev.keymeter.replication.ReplicationSettings;
import dev.keymeter.store.StoreSpec;
import dev.keymeter.tls.ServerTlsFiles;
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
 */
public record ControlPlaneConfig(Path dataDir, String host, int port, Duration shutdownGrace, Clock clock,
        ReplicationSettings replication, StoreSpec store, ServerTlsFiles tls, UsageBoard.Bounds usageBoard) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9190;
    public static final String DATABASE_FILE = "keymeter.db";
    public static final String BOOTSTRAP_KEY_FILE = "bootstrap-admin-key";

    public ControlPlaneConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(usageBoard, "usageBoard");
        Objects.requireNonNull(replication, "replication");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0–65535, was " + port);
        }
    }

    /** Default replication settings and store; for callers that set none. */
    public ControlPlaneConfig(Path dataDir, String host, int port, Duration shutdownGrace, Clock clock) {
        this(dataDir, host, port, shutdownGrace, clock, ReplicationSettings.defaults(), null, null,
                UsageBoard.Bounds.DEFAULTS);
    }

    /** Defaults for everything but the data directory. */
    public static ControlPlaneConfig defaults(Path dataDir) {
        return new ControlPlaneConfig(dataDir, DEFAULT_HOST, DEFAULT_PORT, Duration.ofSeconds(10), Clock.systemUTC());
    }

    /** The usage board's bounds. */
    public ControlPlaneConfig withUsageBoard(UsageBoard.Bounds newBounds) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, replication, store, tls, newBounds);
    }

    public ControlPlaneConfig withPort(int newPort) {
        return new ControlPlaneConfig(dataDir, host, newPort, shutdownGrace, clock, replication, store, tls, usageBoard);
    }


    public ControlPlaneConfig withClock(Clock newClock) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, newClock, replication, store, tls, usageBoard);
    }

    public ControlPlaneConfig withReplication(ReplicationSettings newReplication) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, newReplication, store, tls, usageBoard);
    }

    public ControlPlaneConfig withStore(StoreSpec newStore) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, replication, newStore, tls, usageBoard);
    }

    public ControlPlaneConfig withTls(ServerTlsFiles newTls) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, clock, replication, store, newTls, usageBoard);
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
