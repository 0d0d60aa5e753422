package dev.keymeter.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How every whole-decision benchmark runs, in one place (JMH reads these annotations from the
 * superclass): the latency distribution in nanoseconds (medians are {@code p0.50}), one fork with the
 * Chronicle flags and a fixed 2 GB heap under the parallel collector, so that runs compare.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {ChronicleJvmFlags.OPEN_LANG, ChronicleJvmFlags.OPEN_REFLECT,
    ChronicleJvmFlags.EXPORT_NIO, ChronicleJvmFlags.EXPORT_REF, ChronicleJvmFlags.EXPORT_JAVAC,
    ChronicleJvmFlags.NO_ANALYTICS, ChronicleJvmFlags.NO_ANNOUNCER, "-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"})
abstract class DecisionBenchmarkRun {
}
