package dev.keymeter.server;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The flags shared by {@code serve} and {@code control-plane}; defaults come from the environment. */
final class ProcessOptions {

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:KEYMETER_DATA_DIR:-./data}",
            description = "Where keymeter keeps its data (env KEYMETER_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--admin-addr", paramLabel = "HOST:PORT",
            defaultValue = "${env:KEYMETER_ADMIN_LISTEN:-127.0.0.1:9190}",
            description = "Admin gRPC listen address (env KEYMETER_ADMIN_LISTEN; default ${DEFAULT-VALUE}).")
    String adminAddr;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION",
            defaultValue = "${env:KEYMETER_SHUTDOWN_GRACE:-10s}",
            description = "How long in-flight calls may finish on SIGTERM, e.g. 10s, 500ms "
                    + "(env KEYMETER_SHUTDOWN_GRACE; default ${DEFAULT-VALUE}).")
    String shutdownGrace;

    /** Validates every flag; a bad one is an IllegalArgumentException naming it. */
    Settings settings() {
        return new Settings(dataDir.toAbsolutePath().normalize(), HostPort.parse("--admin-addr", adminAddr),
                parseDuration("--shutdown-grace", shutdownGrace));
    }

    static Duration parseDuration(String setting, String value) {
        String v = value.strip();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(setting + " must be a duration like 10s, 500ms, 5m or 1h, was '"
                    + value + "'");
        }
    }
}
