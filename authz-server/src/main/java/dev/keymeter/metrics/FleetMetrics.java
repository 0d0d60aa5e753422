package dev.keymeter.metrics;

import dev.keymeter.quota.FleetBudget;
import dev.keymeter.quota.FleetSync;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * The fleet sync of shared budgets ({@code --budgets-store} Redis), read at scrape time:
 *
 * <ul>
 *   <li>{@code keymeter_fleet_syncs_total}, {@code keymeter_fleet_sync_errors_total},
 *       {@code keymeter_fleet_sync_seconds_total} (time the answered syncs took: divided by the
 *       syncs, their mean round trip);</li>
 *   <li>{@code keymeter_fleet_degraded} (1 while the store has not answered for the degrade delay),
 *       {@code keymeter_fleet_degraded_seconds_total};</li>
 *   <li>{@code keymeter_fleet_sidecars} (live sidecars as last heard), {@code keymeter_fleet_keys}
 *       (keys syncing now), {@code keymeter_fleet_overshoot_requests} (the most a fleet count has
 *       exceeded its key's requests-per-minute limit, as this sidecar's syncs saw it);</li>
 *   <li>per {@code budget} ({@code tokens}, {@code usd}): {@code keymeter_fleet_allotment_stranded}
 *       (allotment this sidecar holds beyond what it committed, summed over keys: budget the rest of
 *       the fleet cannot use — early 429s, never overshoot), {@code keymeter_fleet_overshoot_budget}
 *       (the most a key's fleet usage exceeds its limit, as this sidecar's last syncs saw it) and
 *       {@code keymeter_fleet_budgets} (budgets held now).</li>
 * </ul>
 * No key labels. Registered only when budgets are shared.
 */
public final class FleetMetrics implements AutoCloseable {

    private final ScrapedMeters meters;

    public FleetMetrics(MeterRegistry registry, FleetSync sync) {
        this.meters = new ScrapedMeters(registry);
        Objects.requireNonNull(sync, "sync");
        meters.counter("keymeter.fleet.syncs", "Key syncs the budgets store answered", sync, FleetSync::syncs);
        meters.counter("keymeter.fleet.sync.errors", "Syncs and heartbeats that failed or timed out", sync, FleetSync::errors);
        meters.counter("keymeter.fleet.sync.seconds", "Time the answered syncs took, summed", sync, s -> s.syncMillis() / 1e3);
        meters.gauge("keymeter.fleet.degraded", "1 while the budgets store does not answer", sync, s -> s.degraded() ? 1 : 0);
        meters.counter("keymeter.fleet.degraded.seconds", "Time spent without answers from the budgets store",
                sync, s -> s.degradedMillis() / 1e3);
        meters.gauge("keymeter.fleet.sidecars", "Live sidecars sharing budgets, as last heard", sync, FleetSync::sidecars);
        meters.gauge("keymeter.fleet.keys", "Keys whose requests per minute are syncing now", sync, s -> s.rates().size());
        meters.gauge("keymeter.fleet.overshoot.requests", "Most a fleet request count exceeded its key's limit",
                sync, FleetSync::worstOvershoot);
        for (FleetBudget.Kind kind : FleetBudget.Kind.values()) {
            String budget = kind == FleetBudget.Kind.TOKENS ? "tokens" : "usd";
            double unit = kind == FleetBudget.Kind.TOKENS ? 1 : 1e6;
            meters.gauge("keymeter.fleet.allotment.stranded", "Allotment held here beyond what was committed",
                    "budget", budget, sync, s -> sum(s, kind, b -> b.stranded(s.now())) / unit);
            meters.gauge("keymeter.fleet.overshoot.budget", "Most a key's fleet usage exceeds its limit, as last seen",
                    "budget", budget, sync, s -> max(s, kind, FleetBudget::overshoot) / unit);
            meters.gauge("keymeter.fleet.budgets", "Token or cost budgets held now", "budget", budget, sync,
                    s -> sum(s, kind, b -> 1));
        }
    }

    private static double sum(FleetSync sync, FleetBudget.Kind kind, ToLongFunction<FleetBudget> value) {
        long total = 0;
        for (FleetBudget b : sync.budgets()) {
            if (b.kind() == kind) {
                total += value.applyAsLong(b);
            }
        }
        return total;
    }

    private static double max(FleetSync sync, FleetBudget.Kind kind, ToLongFunction<FleetBudget> value) {
        long most = 0;
        for (FleetBudget b : sync.budgets()) {
            if (b.kind() == kind) {
                most = Math.max(most, value.applyAsLong(b));
            }
        }
        return most;
    }


    @Override
    public void close() {
        meters.removeAll();
    }
}
