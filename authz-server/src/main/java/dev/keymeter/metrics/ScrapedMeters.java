package dev.keymeter.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Meters whose values are read from live objects at scrape time (gauges and function counters), kept
 * together so that their owner can remove them all before the objects they read are closed.
 */
final class ScrapedMeters {

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    ScrapedMeters(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** A gauge holding {@code object} strongly, so a scrape never finds it collected. */
    <T> void gauge(String name, String help, T object, ToDoubleFunction<T> value) {
        meters.add(Gauge.builder(name, object, value).description(help).strongReference(true).register(registry));
    }

    /** A gauge with one label. */
    <T> void gauge(String name, String help, String label, String labelValue, T object, ToDoubleFunction<T> value) {
        meters.add(Gauge.builder(name, object, value).description(help).tag(label, labelValue).strongReference(true)
                .register(registry));
    }

    <T> void counter(String name, String help, T object, ToDoubleFunction<T> value) {
        meters.add(FunctionCounter.builder(name, object, value).description(help).register(registry));
    }

    /** Removes every meter added here from the registry. */
    void removeAll() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
