package dev.keymeter.server;

import dev.keymeter.admin.ControlPlaneConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Every setting of a keymeter process, with its defaults, validated once at start-up. Each comes
 * from a flag or, when the flag is absent, from an environment variable (the README's configuration
 * table lists exactly these).
 *
 * @param dataDir {@code --data-dir} / {@code KEYMETER_DATA_DIR}, default {@code ./data}
 * @param adminAddress {@code --admin-addr} / {@code KEYMETER_ADMIN_LISTEN}, default {@code 127.0.0.1:9190}
 * @param shutdownGrace {@code --shutdown-grace} / {@code KEYMETER_SHUTDOWN_GRACE}, default {@code 10s}
 */
public record Settings(Path dataDir, HostPort adminAddress, Duration shutdownGrace) {

    public Settings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(adminAddress, "adminAddress");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative() || shutdownGrace.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("--shutdown-grace must be between 0s and 10m, was " + shutdownGrace);
        }
    }

    public ControlPlaneConfig controlPlane() {
        return new ControlPlaneConfig(dataDir, adminAddress.host(), adminAddress.port(), shutdownGrace,
                Clock.systemUTC());
    }
}
