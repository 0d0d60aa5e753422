package dev.keymeter.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The process meters appear in a real scrape. */
class JvmMetricsTest {

    @Test
    void bindTo_prometheusRegistry_servesJvmAndProcessMeters() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (JvmMetrics jvm = new JvmMetrics()) {
            jvm.bindTo(registry);
            try (MetricsServer server = new MetricsServer("127.0.0.1", 0, registry, () -> true)) {
                Map<String, Double> series = Scrape.series(server);
                Set<String> names = series.keySet().stream()
                        .map(s -> s.contains("{") ? s.substring(0, s.indexOf('{')) : s)
                        .collect(Collectors.toSet());
                for (String name : new String[] {"jvm_memory_used_bytes", "jvm_threads_live_threads",
                        "jvm_classes_loaded_classes", "system_cpus", "process_uptime_seconds", "process_cpu_seconds_total",
                        "jvm_gc_memory_allocated_bytes_total"}) {
                    assertTrue(names.contains(name), name + " in " + names);
                }
            }
        } finally {
            registry.close();
        }
    }
}
