package dev.keymeter.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process: Micrometer's JVM memory, GC, thread and class-loader meters, CPU and uptime
 * ({@code jvm_*}, {@code process_*}, {@code system_*}). Their labels are pool, GC and state names
 * from the JVM: closed sets.
 *
 * <p>Two of Micrometer's names break Prometheus' conventions ({@code promtool check metrics} exits 3):
 * {@code process_cpu_time_ns_total} (an abbreviated unit, and nanoseconds) becomes the standard
 * {@code process_cpu_seconds_total}, and {@code system_cpu_count} (a {@code _count} suffix, which
 * Prometheus reserves for histograms and summaries) becomes {@code system_cpus}. Bind first, before
 * other meters: the filter that renames them applies to meters registered after it.
 *
 * <p>{@link #close} stops the GC meters' notification listeners; bind at most once.
 */
public final class JvmMetrics implements MeterBinder, AutoCloseable {

    private static final String MICROMETER_CPU_TIME = "process.cpu.time";
    private static final String MICROMETER_CPU_COUNT = "system.cpu.count";

    private final JvmGcMetrics gc = new JvmGcMetrics();

    @Override
    public void bindTo(MeterRegistry registry) {
        registry.config().meterFilter(new PrometheusNames());
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot && hotspot.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", hotspot, b -> b.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time used by the process")
                    .register(registry);
        }
    }

    @Override
    public void close() {
        gc.close();
    }

    /** Drops Micrometer's nanosecond CPU time (replaced above) and renames the CPU count. */
    private static final class PrometheusNames implements MeterFilter {
        @Override
        public MeterFilterReply accept(Meter.Id id) {
            return id.getName().equals(MICROMETER_CPU_TIME) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
        }

        @Override
        public Meter.Id map(Meter.Id id) {
            return id.getName().equals(MICROMETER_CPU_COUNT) ? id.withName("system.cpus") : id;
        }
    }
}
