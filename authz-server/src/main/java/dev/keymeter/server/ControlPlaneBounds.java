package dev.keymeter.server;

import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.replication.ReplicationSettings;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The control plane's bounded resources, as the flags set them; validated when built, each error
 * naming its flag.
 *
 * @param maxWatchStreams {@code --max-watch-streams} / {@code KEYMETER_MAX_WATCH_STREAMS}, default 256
 * @param watchSendTimeout {@code --watch-send-timeout} / {@code KEYMETER_WATCH_SEND_TIMEOUT}, default 30s
 * @param diskReserveBytes {@code --disk-reserve} / {@code KEYMETER_DISK_RESERVE}, default 8MiB (0: none)
 * @param refusalAuditInterval {@code --auth-failure-audit-interval} / {@code KEYMETER_AUTH_FAILURE_AUDIT_INTERVAL},
 *     default 1m
 */
record ControlPlaneBounds(int maxWatchStreams, Duration watchSendTimeout, long diskReserveBytes,
        Duration refusalAuditInterval) {

    ControlPlaneBounds {
        Objects.requireNonNull(watchSendTimeout, "watchSendTimeout");
        Objects.requireNonNull(refusalAuditInterval, "refusalAuditInterval");
        // The settings' own checks, which name the flags (the fields are not assigned yet: parameters here).
        ControlPlaneConfig.defaults(java.nio.file.Path.of("."))
                .withReplication(ReplicationSettings.defaults().withWatchBounds(maxWatchStreams, watchSendTimeout))
                .withDiskReserve(diskReserveBytes).withRefusalAuditInterval(refusalAuditInterval);
    }

    ReplicationSettings apply(ReplicationSettings replication) {
        return replication.withWatchBounds(maxWatchStreams, watchSendTimeout);
    }

    ControlPlaneConfig apply(ControlPlaneConfig config) {
        return config.withReplication(apply(config.replication())).withDiskReserve(diskReserveBytes)
                .withRefusalAuditInterval(refusalAuditInterval);
    }

    /** {@code 8MiB}, {@code 512KiB}, {@code 1GiB} or a number of bytes. */
    static long bytes(String flag, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (String[] suffix : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}}) {
            if (t.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                t = t.substring(0, t.length() - suffix[0].length()).strip();
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(flag + ": expected a size such as 8MiB, 512KiB or a number of bytes,"
                    + " was '" + text + "'");
        }
    }
}
