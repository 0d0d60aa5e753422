package dev.keymeter.metrics;

import dev.keymeter.usage.RecentRequests;
import dev.keymeter.usage.Reservations;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * The sidecar's bounded tables, read at scrape time, so that an operator sees a bound being reached
 * before it matters:
 *
 * <ul>
 *   <li>{@code keymeter_reservations_capacity}, {@code keymeter_reservation_tombstones},
 *       {@code keymeter_reservation_tombstones_capacity};
 *   <li>{@code keymeter_reservations_evicted_total} (the table was full: the oldest was charged in full
 *       at its estimate), {@code keymeter_reservation_tombstones_dropped_total};
 *   <li>{@code keymeter_request_ids}, {@code keymeter_request_ids_capacity},
 *       {@code keymeter_request_ids_early_rotations_total} (ids forgotten before their retention).
 * </ul>
 *
 * <p>{@code keymeter_reservations_in_flight} (the open reservations) is in {@link UsageMetrics}.
 * {@link #close} removes the meters: call it before closing the request-id files.
 */
public final class TableMetrics implements AutoCloseable {

    private final ScrapedMeters meters;

    public TableMetrics(MeterRegistry registry, Reservations reservations, RecentRequests requestIds) {
        Objects.requireNonNull(reservations, "reservations");
        Objects.requireNonNull(requestIds, "requestIds");
        meters = new ScrapedMeters(registry);
        meters.gauge("keymeter.reservations.capacity", "Most open reservations held (--max-reservations)",
                reservations, Reservations::capacity);
        meters.gauge("keymeter.reservation.tombstones", "Expired reservations remembered for late reports",
                reservations, Reservations::tombstones);
        meters.gauge("keymeter.reservation.tombstones.capacity",
                "Most tombstones held (--max-reservation-tombstones)", reservations, Reservations::tombstoneCapacity);
        meters.counter("keymeter.reservations.evicted", "Reservations charged in full early because the table was full",
                reservations, Reservations::evictions);
        meters.counter("keymeter.reservation.tombstones.dropped", "Tombstones forgotten early because there were too many",
                reservations, Reservations::tombstonesDropped);
        meters.gauge("keymeter.request.ids", "Request ids remembered for idempotent usage reports",
                requestIds, RecentRequests::size);
        meters.gauge("keymeter.request.ids.capacity", "Most request ids remembered (--request-id-capacity)",
                requestIds, RecentRequests::capacity);
        meters.counter("keymeter.request.ids.early.rotations",
                "Times request ids were forgotten before --request-id-retention because the table was full",
                requestIds, RecentRequests::earlyRotations);
    }

    @Override
    public void close() {
        meters.removeAll();
    }
}
