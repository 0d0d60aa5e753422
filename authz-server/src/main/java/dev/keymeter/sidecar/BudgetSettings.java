package dev.keymeter.sidecar;

import dev.keymeter.usage.PriceTable;
import dev.keymeter.usage.Reservations;
import dev.keymeter.usage.UsageSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * How the sidecar counts budgets.
 *
 * @param counterCapacity  the most keys (with their usage epochs) the persisted counters hold; fixed
 *                         when the counter file is created ({@code --quota-capacity})
 * @param prices           model prices and the unpriced-model policy ({@code --prices})
 * @param reservationTtl   how long a reservation waits for its usage before it is charged in full
 *                         ({@code --reservation-ttl})
 * @param usage            where usage is read from in access-log entries
 * @param fleet            whether (and how) the sidecars of a fleet share each key's limits
 */
public record BudgetSettings(long counterCapacity, PriceTable prices, Duration reservationTtl, UsageSettings usage,
                             FleetSettings fleet) {

    public static final long DEFAULT_CAPACITY = 100_000;
    public static final Duration DEFAULT_RESERVATION_TTL = Duration.ofMillis(Reservations.DEFAULT_TTL_MILLIS);

    public BudgetSettings {
        Objects.requireNonNull(prices, "prices");
        Objects.requireNonNull(reservationTtl, "reservationTtl");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(fleet, "fleet");
        if (counterCapacity < 1 || counterCapacity > 100_000_000) {
            throw new IllegalArgumentException("--quota-capacity must be 1–100000000, was " + counterCapacity);
        }
        if (reservationTtl.compareTo(Duration.ofSeconds(1)) < 0 || reservationTtl.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("--reservation-ttl must be between 1s and 24h, was " + reservationTtl);
        }
    }

    /** Counted by this sidecar alone. */
    public BudgetSettings(long counterCapacity, PriceTable prices, Duration reservationTtl, UsageSettings usage) {
        this(counterCapacity, prices, reservationTtl, usage, FleetSettings.LOCAL);
    }

    public static BudgetSettings defaults() {
        return new BudgetSettings(DEFAULT_CAPACITY, PriceTable.empty(), DEFAULT_RESERVATION_TTL, UsageSettings.defaults());
    }

    public BudgetSettings withFleet(FleetSettings newFleet) {
        return new BudgetSettings(counterCapacity, prices, reservationTtl, usage, newFleet);
    }
}
