package dev.keymeter.metrics;

import dev.keymeter.quota.FleetSync;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

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

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    public FleetMetrics(MeterRegistry registry, FleetSync sync) {
        this.registry = Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(sync, "sync");
        counter("keymeter.fleet.syncs", "Key syncs the budgets store answered", sync, FleetSync::syncs);
        counter("keymeter.fleet.sync.errors", "Syncs and heartbeats that failed or timed out", sync, FleetSync::errors);
        counter("keymeter.fleet.sync.seconds", "Time the answered syncs took, summed", sync, s -> s.syncMillis() / 1e3);
        gauge("keymeter.fleet.degraded", "1 while the budgets store does not answer", sync, s -> s.degraded() ? 1 : 0);
        counter("keymeter.fleet.degraded.seconds", "Time spent without answers from the budgets store",
                sync, s -> s.degradedMillis() / 1e3);
        gauge("keymeter.fleet.sidecars", "Live sidecars sharing budgets, as last heard", sync, FleetSync::sidecars);
        gauge("keymeter.fleet.keys", "Keys whose requests per minute are syncing now", sync, s -> s.rates().size());
        gauge("keymeter.fleet.overshoot.requests", "Most a fleet request count exceeded its key's limit",
                sync, FleetSync::worstOvershoot);
    }

    private <T> void gauge(String name, String help, T object, ToDoubleFunction<T> value) {
        meters.add(Gauge.builder(name, object, value).description(help).strongReference(true).register(registry));
    }

    private <T> void counter(String name, String help, T object, ToDoubleFunction<T> value) {
        meters.add(FunctionCounter.builder(name, object, value).description(help).register(registry));
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
