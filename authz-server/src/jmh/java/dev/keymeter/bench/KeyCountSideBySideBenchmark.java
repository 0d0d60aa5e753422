package dev.keymeter.bench;

import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckSettings;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The decision of {@link CheckDecisionBenchmark} with 1,000 and with 1,000,000 keys at the same time:
 * two threads in one JMH group, each deciding against its own replica, so that both medians come from
 * the same seconds of a shared, noisy machine (run one after the other, the two trials can differ by
 * a third on identical work). Each thread has a core of its own on a 2-core machine; they share the
 * last-level cache and memory bandwidth, which the million-key thread uses far more of, so read the
 * 1 k figure as "beside a busy neighbour", and compare with the sequential benchmark too.
 *
 * <p>Run: {@code java -jar authz-server/target/benchmarks.jar KeyCountSideBySideBenchmark}; the
 * medians are {@code side:thousandKeys:p0.50} and {@code side:millionKeys:p0.50}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {ChronicleJvmFlags.OPEN_LANG, ChronicleJvmFlags.OPEN_REFLECT,
    ChronicleJvmFlags.EXPORT_NIO, ChronicleJvmFlags.EXPORT_REF, ChronicleJvmFlags.EXPORT_JAVAC,
    ChronicleJvmFlags.NO_ANALYTICS, ChronicleJvmFlags.NO_ANNOUNCER, "-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"})
@State(Scope.Benchmark)
public class KeyCountSideBySideBenchmark {

    private static final int SEQUENCE = 1 << 16;

    @Param({"zipf", "uniform"})
    public String access;

    private Population thousand;
    private Population million;

    /** One replica with its keys, the served cache in front of it, and the request sequence. */
    private static final class Population {
        final Path dir;
        final ChronicleKeyReplica replica;
        final Authorizer authorizer;
        final CheckRequest[] requests = new CheckRequest[SEQUENCE];

        Population(int keys, String access) throws IOException {
            dir = Files.createTempDirectory("keymeter-bench-");
            replica = ChronicleKeyReplica.open(dir, keys + keys / 2 + 1024);
            KeyPopulation population = KeyPopulation.load(replica, keys);
            authorizer = new Authorizer(new CachingKeyReplica(replica, CachingKeyReplica.DEFAULT_SLOTS),
                    Clock.systemUTC(), CheckSettings.defaults());
            int[] sequence = population.accessSequence(access, SEQUENCE, 42);
            for (int i = 0; i < SEQUENCE; i++) {
                requests[i] = CheckDecisionBenchmark.request(population.tokens[sequence[i]]);
            }
            if (authorizer.check(requests[0]).getStatus().getCode() != 0) {
                throw new IllegalStateException("the benchmark request is not allowed");
            }
        }

        void close() throws IOException {
            replica.close();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        thousand = new Population(1_000, access);
        million = new Population(1_000_000, access);
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    @Group("side")
    @GroupThreads(1)
    public CheckResponse thousandKeys(Cursor cursor) {
        return decide(thousand, cursor);
    }

    @Benchmark
    @Group("side")
    @GroupThreads(1)
    public CheckResponse millionKeys(Cursor cursor) {
        return decide(million, cursor);
    }

    private static CheckResponse decide(Population population, Cursor cursor) {
        CheckRequest request = population.requests[cursor.next];
        cursor.next = (cursor.next + 1) & (SEQUENCE - 1);
        return population.authorizer.check(request);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        thousand.close();
        million.close();
    }
}
