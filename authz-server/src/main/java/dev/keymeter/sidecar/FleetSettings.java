package dev.keymeter.sidecar;

import dev.keymeter.fleet.BudgetsStore;
import java.time.Duration;
import java.util.Objects;

/**
 * How a sidecar shares budgets with the rest of its fleet.
 *
 * @param store        {@code --budgets-store}: {@link BudgetsStore#LOCAL} (counted here alone) or Redis
 * @param syncInterval {@code --budgets-sync-interval}: T, how often each active key syncs (T/4 once the
 *                     fleet has counted half its limit); 10 ms – 10 s
 * @param sidecarId    {@code --sidecar-id}: this sidecar's name in the fleet, unique among live sidecars;
 *                     {@code null} for the host name, the process id and a random suffix
 */
public record FleetSettings(BudgetsStore store, Duration syncInterval, String sidecarId) {

    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(100);
    public static final FleetSettings LOCAL = new FleetSettings(BudgetsStore.LOCAL, DEFAULT_SYNC_INTERVAL, null);
    private static final int MAX_ID = 128;

    public FleetSettings {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(syncInterval, "syncInterval");
        if (syncInterval.compareTo(Duration.ofMillis(10)) < 0 || syncInterval.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("--budgets-sync-interval must be between 10ms and 10s, was "
                    + syncInterval.toMillis() + "ms");
        }
        if (sidecarId != null && (sidecarId.isEmpty() || sidecarId.length() > MAX_ID
                || !sidecarId.chars().allMatch(FleetSettings::plain))) {
            throw new IllegalArgumentException("--sidecar-id must be 1–" + MAX_ID
                    + " characters of letters, digits, '-', '_', '.', ':' and '/'");
        }
    }

    public boolean shared() {
        return !store.local();
    }

    private static boolean plain(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == ':' || c == '/';
    }
}
