package dev.keymeter.server;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.lifecycle.UsageHistory;
import dev.keymeter.replication.WatchService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The control plane's bounded resources on {@code /metrics}: Watch streams (open, refused over
 * {@code --max-watch-streams}, cancelled for not reading within {@code --watch-send-timeout}), calls
 * refused for want of a valid key, whether writes fail for a full disk, and the keys the usage
 * history holds. Read when scraped.
 */
final class ControlPlaneMeters {

    private ControlPlaneMeters() {
    }

    static void register(ControlPlane cp, MeterRegistry registry) {
        WatchService watch = cp.replication().watchService();
        Gauge.builder("keymeter_watch_streams_active", watch, WatchService::activeStreams)
                .description("Replication Watch streams served now").register(registry);
        FunctionCounter.builder("keymeter_watch_streams_refused", watch, WatchService::refusedStreams)
                .description("Watch streams refused because --max-watch-streams were open").register(registry);
        FunctionCounter.builder("keymeter_watch_streams_slow_cancelled", watch, WatchService::slowStreamsCancelled)
                .description("Watch streams cancelled because their sidecar read nothing for --watch-send-timeout")
                .register(registry);
        for (AdminFailure.Reason reason : new AdminFailure.Reason[] {
                AdminFailure.Reason.UNAUTHENTICATED, AdminFailure.Reason.PERMISSION_DENIED}) {
            FunctionCounter.builder("keymeter_admin_calls_refused", cp, plane -> plane.callsRefused(reason))
                    .description("Admin and replication calls refused before any rule: no valid key, or the wrong kind")
                    .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
        }
        Gauge.builder("keymeter_store_disk_full", cp, plane -> plane.diskFull() ? 1 : 0)
                .description("1 while admin writes fail or are refused because the data directory's disk is full")
                .register(registry);
        UsageHistory history = cp.rules().usageBoard().history();
        Gauge.builder("keymeter_usage_history_keys", history, UsageHistory::keys)
                .description("Keys whose 24-hour usage history is held (at most --usage-history-max-keys)")
                .register(registry);
        FunctionCounter.builder("keymeter_usage_history_refused", history, UsageHistory::refused)
                .description("Usage increases left out of the history because it held its most keys").register(registry);
    }
}
