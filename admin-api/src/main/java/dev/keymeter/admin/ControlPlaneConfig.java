package dev.keymeter.admin;

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
 */
public record ControlPlaneConfig(Path dataDir, String host, int port, Duration shutdownGrace, Clock clock) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9190;
    public static final String DATABASE_FILE = "keymeter.db";
    public static final String BOOTSTRAP_KEY_FILE = "bootstrap-admin-key";

    public ControlPlaneConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(clock, "clock");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0–65535, was " + port);
        }
    }

    /** Defaults for everything but the data directory. */
    public static ControlPlaneConfig defaults(Path dataDir) {
        return new ControlPlaneConfig(dataDir, DEFAULT_HOST, DEFAULT_PORT, Duration.ofSeconds(10), Clock.systemUTC());
    }

    public ControlPlaneConfig withPort(int newPort) {
        return new ControlPlaneConfig(dataDir, host, newPort, shutdownGrace, clock);
    }

    public ControlPlaneConfig withHost(String newHost) {
        return new ControlPlaneConfig(dataDir, newHost, port, shutdownGrace, clock);
    }

    public ControlPlaneConfig withClock(Clock newClock) {
        return new ControlPlaneConfig(dataDir, host, port, shutdownGrace, newClock);
    }

    public Path databaseFile() {
        return dataDir.resolve(DATABASE_FILE);
    }

    public Path bootstrapKeyFile() {
        return dataDir.resolve(BOOTSTRAP_KEY_FILE);
    }
}
