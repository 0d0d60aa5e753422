package dev.keymeter.metrics;

import dev.keymeter.quota.FleetSync;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

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
 *       exceeded its key's requests-per-minute limit, as this sidecar's syncs saw it).</li>
 * </ul>
 * No labels. Registered only when budgets are shared.
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
    }



    @Override
    public void close() {
        meters.removeAll();
    }
}
