package dev.keymeter.bench;

import dev.keymeter.check.CheckReply;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

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
@State(Scope.Benchmark)
public class KeyCountSideBySideBenchmark extends DecisionBenchmarkRun {

    private static final int SEQUENCE = 1 << 16;

    @Param({"zipf", "uniform"})
    public String access;

    private DecisionSetup thousand;
    private DecisionSetup million;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        thousand = new DecisionSetup(1_000, access, SEQUENCE);
        million = new DecisionSetup(1_000_000, access, SEQUENCE);
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    @Group("side")
    @GroupThreads(1)
    public CheckReply thousandKeys(Cursor cursor) {
        return thousand.decide(cursor.next++);
    }

    @Benchmark
    @Group("side")
    @GroupThreads(1)
    public CheckReply millionKeys(Cursor cursor) {
        return million.decide(cursor.next++);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        thousand.close();
        million.close();
    }
}
