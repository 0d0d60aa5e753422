package dev.keymeter.bench;

import dev.keymeter.check.CheckReply;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.io.IOException;
import java.util.Arrays;

/**
 * The whole decision at 1,000 and at 1,000,000 keys, alternated on one thread in one JVM: blocks of
 * 20,000 decisions against one key set, then 20,000 against the other, each decision timed; the
 * median of each block, and the ratio of each 1 M block's median to the 1 k block's just before it.
 *
 * <p>Why beside {@code CheckDecisionBenchmark}: JMH runs each key count in its own JVM, and on a
 * shared machine whole seconds run faster or slower, so two forks' medians (and their ratio) move by
 * ±30% from run to run. Here both key sets share one JVM, one compiled decision, one heap and the
 * same seconds of the machine: each pair of blocks is compared under the same conditions, and the
 * median of the per-pair ratios is the steadiest ratio this machine gives. Run with two copies of
 * the same key count ({@code 1000 1000}) it printed ratios of 0.98–1.00, so the alternation itself
 * favours neither side. Same requests and replica as the JMH benchmark ({@link DecisionSetup}).
 *
 * <p>{@code REQUESTS} chooses what each decision reads: {@code built}, the requests built before the
 * run, as {@code CheckDecisionBenchmark} decides them (their objects are cold in the CPU's caches on
 * either side), or {@code parsed}, each request parsed from its wire bytes just before its decision,
 * outside the timing, as gRPC hands a request to Check (its objects are fresh in the caches). The key
 * lookups are the same; only the request's memory differs, and with it the thousand-key side's share
 * of cache misses, hence the ratio.
 *
 * <p>Run: {@code authz-server/bench/key-count-interleaved.sh [SECONDS] [ACCESS] [SMALL] [LARGE] [REQUESTS]}
 * (defaults 30 s, zipf, 1000, 1000000, built).
 */
public final class KeyCountInterleaved {

    private static final int BLOCK = 20_000;
    private static final int SEQUENCE = 1 << 16;
    private static final long WARM_UP_NANOS = 8_000_000_000L;

    /** Keeps the last response of each block reachable, so no decision is optimised away. */
    static volatile CheckReply last;

    private KeyCountInterleaved() {
    }

    public static void main(String[] args) throws IOException {
        int seconds;
        String access;
        int smallKeys;
        int largeKeys;
        String requests;
        try {
            seconds = BenchArgs.atLeastOne(args, 0, "SECONDS", 30);
            access = BenchArgs.oneOf(args, 1, "ACCESS", "zipf", "uniform");
            smallKeys = BenchArgs.atLeastOne(args, 2, "SMALL", 1_000);
            largeKeys = BenchArgs.atLeastOne(args, 3, "LARGE", 1_000_000);
            requests = BenchArgs.oneOf(args, 4, "REQUESTS", "built", "parsed");
        } catch (IllegalArgumentException e) {
            BenchArgs.exitWithUsage("key-count-interleaved",
                    "key-count-interleaved.sh [SECONDS] [zipf|uniform] [SMALL] [LARGE] [built|parsed]", e);
            return;
        }
        System.out.printf("building %,d keys (%s access)%n", smallKeys, access);
        DecisionSetup small = new DecisionSetup(smallKeys, access, SEQUENCE);
        System.out.printf("building %,d keys (%s access)%n", largeKeys, access);
        DecisionSetup large = new DecisionSetup(largeKeys, access, SEQUENCE);
        try {
            WireCopies smallWire = requests.equals("parsed") ? new WireCopies(small) : null;
            WireCopies largeWire = requests.equals("parsed") ? new WireCopies(large) : null;
            System.out.printf("warming up %d s, then measuring %d s%n", WARM_UP_NANOS / 1_000_000_000L, seconds);
            int[] next = new int[2];
            long[] smallTimes = new long[BLOCK];
            long[] largeTimes = new long[BLOCK];
            long end = System.nanoTime() + WARM_UP_NANOS;
            while (System.nanoTime() < end) {
                block(small, next, 0, smallTimes, smallWire);
                block(large, next, 1, largeTimes, largeWire);
            }
            BlockPairs pairs = new BlockPairs(seconds * 200); // more pairs than a fast machine runs
            end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end && !pairs.full()) {
                block(small, next, 0, smallTimes, smallWire);
                block(large, next, 1, largeTimes, largeWire);
                pairs.add(smallTimes, BLOCK, largeTimes, BLOCK);
            }
            pairs.print(access + ", " + requests + " requests", BLOCK, "decisions", smallKeys, largeKeys);
        } finally {
            small.close();
            large.close();
        }
    }

    /**
     * Runs one block of decisions, timing each into {@code times}, which it leaves sorted; with
     * {@code wire}, each request is parsed from its wire bytes before its timing starts.
     */
    private static void block(DecisionSetup setup, int[] next, int which, long[] times, WireCopies wire) {
        CheckReply response = null;
        for (int i = 0; i < BLOCK; i++) {
            if (wire != null) {
                CheckRequest request = wire.parse(next[which]++);
                long start = System.nanoTime();
                response = setup.decide(request);
                times[i] = System.nanoTime() - start;
            } else {
                long start = System.nanoTime();
                response = setup.decide(next[which]++);
                times[i] = System.nanoTime() - start;
            }
        }
        last = response;
        Arrays.sort(times);
    }

    /** The wire bytes of a setup's requests, to parse each one again as gRPC hands it to Check. */
    private static final class WireCopies {
        private final byte[][] bytes = new byte[SEQUENCE][];

        WireCopies(DecisionSetup setup) {
            for (int i = 0; i < SEQUENCE; i++) {
                bytes[i] = setup.request(i).toByteArray();
            }
        }

        /** Request {@code index} of the sequence, parsed now. */
        CheckRequest parse(int index) {
            try {
                return CheckRequest.parseFrom(bytes[index & (SEQUENCE - 1)]);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("a benchmark request failed to parse again", e);
            }
        }
    }
}
