package dev.keymeter.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replica revision each sidecar last said it had applied, and when it said so, in memory: what
 * {@code GetReplicationStatus} answers and {@code keys revoke --wait} polls. Sidecars send it with their
 * usage report (every 5 s by default), so a control plane that restarted knows them again within one
 * interval.
 *
 * <p><b>Bounded</b> like the usage board, by {@code --usage-board-max-sidecars}: a credential reporting
 * under ever-new ids cannot grow it. Sidecars silent for longer than {@link #SILENT} are forgotten
 * (when listed, and to make room when full): they are stopped, or cut off and then stale anyway, and
 * a revocation cannot wait for them. When full of live sidecars a new id is not recorded. Thread-safe.
 */
public final class SidecarRevisions {

    /** A sidecar that has not reported for this long is no longer listed. */
    public static final Duration SILENT = Duration.ofMinutes(1);

    /** One sidecar's last report. */
    public record Applied(String sidecarId, long revision, Instant reportedAt) {
        public Applied {
            Objects.requireNonNull(sidecarId, "sidecarId");
            Objects.requireNonNull(reportedAt, "reportedAt");
        }
    }

    private final Clock clock;
    private final int maxSidecars;
    private final Map<String, Applied> bySidecar = new ConcurrentHashMap<>();

    public SidecarRevisions(Clock clock, int maxSidecars) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxSidecars < 1) {
            throw new IllegalArgumentException("maxSidecars must be at least 1, was " + maxSidecars);
        }
        this.maxSidecars = maxSidecars;
    }

    /**
     * Records that {@code sidecarId} has applied {@code revision}, now.
     *
     * @return false when the table is full of sidecars heard from within {@link #SILENT}
     */
    public boolean record(String sidecarId, long revision) {
        Instant now = clock.instant();
        if (!bySidecar.containsKey(sidecarId) && bySidecar.size() >= maxSidecars) {
            forgetSilent(now);
            if (bySidecar.size() >= maxSidecars) {
                return false;
            }
        }
        bySidecar.put(sidecarId, new Applied(sidecarId, revision, now));
        return true;
    }

    /** The sidecars heard from within {@link #SILENT}, by id; forgets the others. */
    public List<Applied> live() {
        forgetSilent(clock.instant());
        return bySidecar.values().stream().sorted(Comparator.comparing(Applied::sidecarId)).toList();
    }

    public int size() {
        return bySidecar.size();
    }

    private void forgetSilent(Instant now) {
        Instant cutoff = now.minus(SILENT);
        bySidecar.values().removeIf(a -> a.reportedAt().isBefore(cutoff));
    }
}
