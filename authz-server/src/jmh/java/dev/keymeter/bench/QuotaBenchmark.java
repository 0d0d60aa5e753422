package dev.keymeter.bench;

import dev.keymeter.quota.BudgetProbe;
import dev.keymeter.quota.ChronicleCounterStore;
import dev.keymeter.quota.CounterCells;
import dev.keymeter.quota.CounterStore;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.quota.KeyQuota;
import dev.keymeter.quota.PeriodBudget;
import dev.keymeter.quota.QuotaDecision;
import dev.keymeter.quota.RateProbe;
import dev.keymeter.quota.QuotaLimits;
import dev.keymeter.keys.ResetPeriod;
import dev.keymeter.quota.RollingWindow;
import io.github.bucket4j.Bucket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One admission of {@link KeyQuota#tryAdmit} — the rolling 60 s window, the token budget and the cost
 * budget, all three limited but never reached — against Bucket4j's local lock-free bucket
 * {@code tryConsume(1)} (design §4b), in the same run. Both read the real clock per call
 * ({@code System.currentTimeMillis()}: ours as Check does, Bucket4j's default millisecond time meter).
 *
 * <p>Each is measured on one thread, on two threads hitting one key / one bucket (the contended
 * case: every admission is a CAS on the same word), and on two threads with a key / bucket each.
 * ns/op is per thread (JMH's average time). The keymeter side runs over the heap store
 * ({@link HeapCounterStore}: an {@code AtomicLongArray}) and the persisted one
 * ({@link ChronicleCounterStore}: the same atomics on mapped memory); the cells are fetched once,
 * as Bucket4j's bucket is held, so both figures are the counter alone. {@code quotaLookup*} adds
 * what Check adds per request: {@code cellsFor} (the store's on-heap cache) and a new
 * {@link KeyQuota}. {@code quotaReserving*} reserves a token and a cost estimate as well (a body with
 * {@code max_tokens}): two more CASes on the commit words and two on the reservation words.
 * {@code parts*} time the window and one budget alone (where tryAdmit's time goes). {@code period}
 * is the budgets' reset period: MONTHLY by default (its period arithmetic goes through
 * {@code LocalDate}); {@code -p period=DAILY,NEVER} compares the cheaper ones.
 *
 * <p>Run (the machine has 2 cores: the two-thread cases use exactly 2; the pattern is a regex, and a
 * bare {@code QuotaBenchmark} would also match {@code CheckWithQuotaBenchmark}):
 * <pre>
 * mvn -B -q -Pbench -DskipTests package -pl authz-server -am
 * java -jar authz-server/target/benchmarks.jar '\.QuotaBenchmark\.' -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 * Target (issue): within 2× of Bucket4j's ns/op, on one thread and on two.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {ChronicleJvmFlags.OPEN_LANG, ChronicleJvmFlags.OPEN_REFLECT,
    ChronicleJvmFlags.EXPORT_NIO, ChronicleJvmFlags.EXPORT_REF, ChronicleJvmFlags.EXPORT_JAVAC,
    ChronicleJvmFlags.NO_ANALYTICS, ChronicleJvmFlags.NO_ANNOUNCER, "-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class QuotaBenchmark {

    /**
     * Limits no benchmark reaches: 4.29 G requests a minute (the window's most), and the budgets'
     * most (17.6 T tokens, 17.6 M USD) per {@code period}.
     */
    static QuotaLimits limits(ResetPeriod period) {
        return new QuotaLimits(RollingWindow.MAX_LIMIT, PeriodBudget.MAX_AMOUNT, PeriodBudget.MAX_AMOUNT, period);
    }
    /** Tokens and micro-USD reserved per admission by {@code quotaReserving*}. */
    static final long ESTIMATE = 100;
    static final long EPOCH = 0;
    /** The shared key's id; not a constant, as Check's comes from the replica entry (a field read). */
    static String keyId0 = keyId(0);

    /** A bucket no benchmark empties: 10^10 tokens, refilled greedily at 10^10 a minute. */
    static Bucket bucket() {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(10_000_000_000L).refillGreedy(10_000_000_000L, Duration.ofMinutes(1)))
                .build();
    }

    static String keyId(int i) {
        return String.format("key_%020d", i);
    }

    /** The counter store and one key's quota, shared by all threads. */
    @State(Scope.Benchmark)
    public static class Counters {
        @Param({"heap", "chronicle"})
        public String store;

        /** The budgets' reset period (MONTHLY: the common case; -p period=DAILY,NEVER to compare). */
        @Param({"MONTHLY"})
        public String period;

        Path dir;
        CounterStore counters;
        ResetPeriod resetPeriod;
        QuotaLimits limits;
        KeyQuota shared;
        /** The shared key's window and token budget alone, for {@code parts*}. */
        RollingWindow window;
        PeriodBudget tokens;
        final AtomicInteger nextKey = new AtomicInteger(1);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            resetPeriod = ResetPeriod.valueOf(period);
            limits = limits(resetPeriod);
            switch (store) {
                case "heap" -> counters = new HeapCounterStore(1024);
                case "chronicle" -> {
                    dir = Files.createTempDirectory("keymeter-quota-bench-");
                    counters = ChronicleCounterStore.open(dir, 1024);
                }
                default -> throw new IllegalArgumentException("store must be heap or chronicle, was " + store);
            }
            shared = new KeyQuota(counters.cellsFor(keyId0, EPOCH), resetPeriod);
            CounterCells parts = counters.cellsFor(keyId(999), EPOCH);
            window = new RollingWindow(parts, 0);
            tokens = new PeriodBudget(parts, RollingWindow.CELLS, resetPeriod);
            QuotaDecision probe = shared.tryAdmit(System.currentTimeMillis(), limits, 0, 0);
            if (!probe.admitted()) {
                throw new IllegalStateException("the benchmark key is refused: " + probe);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            counters.close();
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** A key of this thread's own, in the same store. */
    @State(Scope.Thread)
    public static class OwnKey {
        KeyQuota quota;
        QuotaLimits limits;

        @Setup(Level.Trial)
        public void setUp(Counters counters) {
            quota = new KeyQuota(counters.counters.cellsFor(keyId(counters.nextKey.getAndIncrement()), EPOCH),
                    counters.resetPeriod);
            limits = counters.limits;
        }
    }

    /** One bucket shared by all threads. */
    @State(Scope.Benchmark)
    public static class SharedBucket {
        Bucket bucket;

        @Setup(Level.Trial)
        public void setUp() {
            bucket = bucket();
        }
    }

    /** A bucket of this thread's own. */
    @State(Scope.Thread)
    public static class OwnBucket {
        Bucket bucket;

        @Setup(Level.Trial)
        public void setUp() {
            bucket = bucket();
        }
    }

    // --- keymeter: KeyQuota.tryAdmit on held cells, no estimate (a Check without a body) ---

    @Benchmark
    @Threads(1)
    public QuotaDecision quota_1thread(Counters c) {
        return c.shared.tryAdmit(System.currentTimeMillis(), c.limits, 0, 0);
    }

    @Benchmark
    @Threads(2)
    public QuotaDecision quota_2threads_oneKey(Counters c) {
        return c.shared.tryAdmit(System.currentTimeMillis(), c.limits, 0, 0);
    }

    @Benchmark
    @Threads(2)
    public QuotaDecision quota_2threads_ownKeys(OwnKey k) {
        return k.quota.tryAdmit(System.currentTimeMillis(), k.limits, 0, 0);
    }

    // --- Bucket4j 8.19: local lock-free bucket, tryConsume(1) ---

    @Benchmark
    @Threads(1)
    public boolean bucket4j_1thread(SharedBucket b) {
        return b.bucket.tryConsume(1);
    }

    @Benchmark
    @Threads(2)
    public boolean bucket4j_2threads_oneBucket(SharedBucket b) {
        return b.bucket.tryConsume(1);
    }

    @Benchmark
    @Threads(2)
    public boolean bucket4j_2threads_ownBuckets(OwnBucket b) {
        return b.bucket.tryConsume(1);
    }

    // --- keymeter, as Check calls it: cells from the store, a new KeyQuota, then tryAdmit ---

    @Benchmark
    @Threads(1)
    public QuotaDecision quotaLookup_1thread(Counters c) {
        return new KeyQuota(c.counters.cellsFor(keyId0, EPOCH), c.resetPeriod)
                .tryAdmit(System.currentTimeMillis(), c.limits, 0, 0);
    }

    @Benchmark
    @Threads(2)
    public QuotaDecision quotaLookup_2threads_oneKey(Counters c) {
        return new KeyQuota(c.counters.cellsFor(keyId0, EPOCH), c.resetPeriod)
                .tryAdmit(System.currentTimeMillis(), c.limits, 0, 0);
    }

    // --- keymeter, reserving a token and a cost estimate (a body with max_tokens) ---

    @Benchmark
    @Threads(1)
    public QuotaDecision quotaReserving_1thread(Counters c) {
        return c.shared.tryAdmit(System.currentTimeMillis(), c.limits, ESTIMATE, ESTIMATE);
    }

    @Benchmark
    @Threads(2)
    public QuotaDecision quotaReserving_2threads_oneKey(Counters c) {
        return c.shared.tryAdmit(System.currentTimeMillis(), c.limits, ESTIMATE, ESTIMATE);
    }

    // --- the parts of tryAdmit alone, one thread: where its time goes ---

    @Benchmark
    @Threads(1)
    public RateProbe partsWindow_1thread(Counters c) {
        return c.window.tryAcquire(System.currentTimeMillis(), RollingWindow.MAX_LIMIT);
    }

    @Benchmark
    @Threads(1)
    public BudgetProbe partsBudget_1thread(Counters c) {
        return c.tokens.tryReserve(System.currentTimeMillis(), 0, PeriodBudget.MAX_AMOUNT);
    }
}
