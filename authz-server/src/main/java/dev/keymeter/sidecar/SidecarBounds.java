package dev.keymeter.sidecar;

import dev.keymeter.usage.RecentRequests;
import dev.keymeter.usage.Reservations;
import java.time.Duration;
import java.util.Objects;

/**
 * How much the sidecar holds of what grows with traffic, and how stale its replica may get.
 *
 * @param maxReservations       open reservations held; beyond it the oldest is charged in full at its
 *                              estimate ({@code --max-reservations})
 * @param maxTombstones         tombstones of expired reservations held for late reports
 *                              ({@code --max-reservation-tombstones})
 * @param requestIds            request ids remembered for idempotent usage reports, in files under the
 *                              data directory ({@code --request-id-capacity})
 * @param requestIdRetention    how long a request id is remembered ({@code --request-id-retention})
 * @param maxReplicaStaleness   how long after its last contact with the control plane the sidecar
 *                              still says SERVING; {@link Duration#ZERO}: for ever, serving the last
 *                              known good replica ({@code --max-replica-staleness})
 */
public record SidecarBounds(int maxReservations, int maxTombstones, long requestIds, Duration requestIdRetention,
        Duration maxReplicaStaleness) {

    private static final SidecarBounds DEFAULTS = new SidecarBounds(Reservations.DEFAULT_CAPACITY,
            Reservations.DEFAULT_TOMBSTONE_CAPACITY, RecentRequests.DEFAULT_CAPACITY,
            Duration.ofMillis(RecentRequests.DEFAULT_RETENTION_MILLIS), Duration.ZERO);

    public SidecarBounds {
        Objects.requireNonNull(requestIdRetention, "requestIdRetention");
        Objects.requireNonNull(maxReplicaStaleness, "maxReplicaStaleness");
        range("--max-reservations", maxReservations, 1, 100_000_000);
        range("--max-reservation-tombstones", maxTombstones, 1, 100_000_000);
        range("--request-id-capacity", requestIds, 2, 1_000_000_000);
        if (requestIdRetention.compareTo(Duration.ofSeconds(1)) < 0
                || requestIdRetention.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("--request-id-retention must be between 1s and 7d, was "
                    + requestIdRetention);
        }
        if (maxReplicaStaleness.isNegative() || (!maxReplicaStaleness.isZero()
                && maxReplicaStaleness.compareTo(Duration.ofSeconds(1)) < 0)) {
            throw new IllegalArgumentException("--max-replica-staleness must be 0 (off) or at least 1s, was "
                    + maxReplicaStaleness);
        }
    }

    public static SidecarBounds defaults() {
        return DEFAULTS;
    }

    /** True when a replica older than {@link #maxReplicaStaleness} takes the sidecar out of service. */
    public boolean stalenessBounded() {
        return !maxReplicaStaleness.isZero();
    }

    public SidecarBounds withMaxReplicaStaleness(Duration newMax) {
        return new SidecarBounds(maxReservations, maxTombstones, requestIds, requestIdRetention, newMax);
    }

    public SidecarBounds withReservations(int newMax, int newTombstones) {
        return new SidecarBounds(newMax, newTombstones, requestIds, requestIdRetention, maxReplicaStaleness);
    }

    public SidecarBounds withRequestIds(long newCapacity, Duration newRetention) {
        return new SidecarBounds(maxReservations, maxTombstones, newCapacity, newRetention, maxReplicaStaleness);
    }

    private static void range(String flag, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(flag + " must be " + min + "–" + max + ", was " + value);
        }
    }
}
