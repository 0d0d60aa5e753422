package dev.keymeter.bench;

import dev.keymeter.check.DecisionListener;
import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.metrics.CheckMetrics;
import dev.keymeter.sidecar.AuthzServerBuilder;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The decision at 1,000 and at 1,000,000 keys as the sidecar makes it: each key set behind its own
 * Check server (the sidecar's gRPC settings, {@link AuthzServerBuilder}; its metrics, {@link
 * CheckMetrics}; its background thread merging the per-thread logs every 50 ms), both in this JVM,
 * called over loopback by client threads that alternate between the two in blocks of {@value #BLOCK}
 * Checks. The server times each decision itself ({@code CheckService} measures
 * {@code Authorizer.decide} for {@code keymeter_check_duration_seconds}; a listener here keeps every
 * figure), and the clients time each round trip.
 *
 * <p>Why beside {@link KeyCountInterleaved}: there, one thread does nothing but decide, so between two
 * decisions the CPU's caches keep what the decisions touch, and a thousand keys never leave them. In the
 * sidecar, gRPC reads, parses, frames and writes each call on the same thread, and that work shares the
 * caches with the keys. This program measures the same decision (same replica, cache, requests and
 * access sequence, {@link DecisionSetup}) in that setting; the request is parsed by gRPC just before it
 * is decided, as in production. At the sidecar's pace it also reaches work a tight loop skips: the
 * last use of a key not used within the last second is noted (in a tight loop, every key of the
 * sequence comes back within milliseconds).
 *
 * <p>Prints the median of each block's decision times, the median of the per-pair ratios, percentiles
 * over every decision and the round trips' medians. Every Check must be allowed; a denial or a call the
 * server did not time ends the run with an error.
 *
 * <p>Run: {@code authz-server/bench/key-count-grpc.sh [SECONDS] [ACCESS] [SMALL] [LARGE] [CLIENTS]}
 * (defaults 30 s, zipf, 1000, 1000000, 8 client threads: they keep the servers busy, and the figures
 * are steadier than with one, where the server idles between calls).
 */
public final class KeyCountOverGrpc {

    private static final int BLOCK = 2_000;
    private static final int SEQUENCE = 1 << 16;
    private static final long WARM_UP_NANOS = 10_000_000_000L;

    private KeyCountOverGrpc() {
    }

    public static void main(String[] args) throws Exception {
        int seconds;
        String access;
        int smallKeys;
        int largeKeys;
        int clients;
        try {
            seconds = BenchArgs.atLeastOne(args, 0, "SECONDS", 30);
            access = BenchArgs.oneOf(args, 1, "ACCESS", "zipf", "uniform");
            smallKeys = BenchArgs.atLeastOne(args, 2, "SMALL", 1_000);
            largeKeys = BenchArgs.atLeastOne(args, 3, "LARGE", 1_000_000);
            clients = BenchArgs.atLeastOne(args, 4, "CLIENTS", 8);
            if (clients > 64 || BLOCK % clients != 0) {
                throw new IllegalArgumentException("CLIENTS must divide " + BLOCK + " and be at most 64, was '"
                        + args[4] + "'");
            }
        } catch (IllegalArgumentException e) {
            BenchArgs.exitWithUsage("key-count-grpc", "key-count-grpc.sh [SECONDS] [zipf|uniform] [SMALL] [LARGE] [CLIENTS]", e);
            return;
        }
        ChronicleFiles.disableAnalytics();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Side> sides = new ArrayList<>();
        try {
            System.out.printf("building %,d keys (%s access)%n", smallKeys, access);
            Side small = new Side(smallKeys, access);
            sides.add(small);
            System.out.printf("building %,d keys (%s access)%n", largeKeys, access);
            Side large = new Side(largeKeys, access);
            sides.add(large);
            System.out.printf("warming up %d s, then measuring %d s; %d client thread(s), one call in flight each%n",
                    WARM_UP_NANOS / 1_000_000_000L, seconds, clients);
            long end = System.nanoTime() + WARM_UP_NANOS;
            while (System.nanoTime() < end) {
                small.block(pool, clients);
                large.block(pool, clients);
            }
            BlockPairs pairs = new BlockPairs(seconds * 100); // more pairs than a fast machine runs
            long[] smallTrips = new long[seconds * 100];
            long[] largeTrips = new long[seconds * 100];
            int blocks = 0;
            end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end && !pairs.full()) {
                long[] smallDecided = small.block(pool, clients);
                smallTrips[blocks] = small.tripMedian();
                long[] largeDecided = large.block(pool, clients);
                largeTrips[blocks] = large.tripMedian();
                pairs.add(smallDecided, BLOCK, largeDecided, BLOCK);
                blocks++;
            }
            pairs.print(access + ", over gRPC", BLOCK, "decisions", smallKeys, largeKeys);
            long st = median(smallTrips, blocks);
            long lt = median(largeTrips, blocks);
            System.out.printf("round trip at the client, median of block medians: %,d keys %.1f µs, %,d keys %.1f µs (%.3f)%n",
                    smallKeys, st / 1000.0, largeKeys, lt / 1000.0, (double) lt / st);
        } finally {
            pool.shutdownNow();
            for (Side side : sides) {
                side.close();
            }
        }
    }

    private static long median(long[] values, int n) {
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return sorted[n / 2];
    }

    /** One key set: its setup, the Check server in front of it, a channel to that server, and its timings. */
    private static final class Side {
        private final DecisionTimes times = new DecisionTimes(BLOCK);
        private final DecisionSetup setup;
        private final Server server;
        private final ManagedChannel channel;
        private final AuthorizationGrpc.AuthorizationBlockingStub stub;
        private final AtomicInteger next = new AtomicInteger();
        private final long[] trips = new long[BLOCK];

        Side(int keys, String access) throws IOException {
            // The sidecar's metrics hear every decision, as in production; this side's times listen too.
            CheckMetrics metrics = new CheckMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            setup = new DecisionSetup(keys, access, SEQUENCE, DecisionListener.of(metrics, times));
            setup.every50Millis(metrics::flush);
            server = AuthzServerBuilder.forAddress("127.0.0.1", 0, setup.service()).build().start();
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
            stub = AuthorizationGrpc.newBlockingStub(channel);
        }

        /**
         * {@value #BLOCK} Checks from {@code clients} threads at once, each with one call in flight;
         * returns their decision times (ns), sorted.
         */
        long[] block(ExecutorService pool, int clients) throws InterruptedException {
            times.reset();
            int share = BLOCK / clients;
            List<Future<?>> running = new ArrayList<>(clients);
            for (int c = 0; c < clients; c++) {
                int from = c * share;
                running.add(pool.submit(() -> call(from, share)));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a Check call failed", e.getCause());
                }
            }
            long[] decided = times.drain();
            if (decided.length != BLOCK) {
                throw new IllegalStateException("the server timed " + decided.length + " of " + BLOCK + " Checks");
            }
            Arrays.sort(decided);
            return decided;
        }

        private void call(int from, int count) {
            for (int i = from; i < from + count; i++) {
                long start = System.nanoTime();
                CheckResponse response = stub.check(setup.request(next.getAndIncrement()));
                trips[i] = System.nanoTime() - start;
                if (response.getStatus().getCode() != 0) {
                    throw new IllegalStateException("a benchmark Check was denied: " + response.getStatus());
                }
            }
        }

        /** The median round trip of the last block (ns); read after {@link #block} returned. */
        long tripMedian() {
            long[] sorted = trips.clone();
            Arrays.sort(sorted);
            return sorted[BLOCK / 2];
        }

        void close() throws IOException, InterruptedException {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            setup.close();
        }
    }

    /**
     * The decision times {@code CheckService} reports, kept for one block. Recorded on the server's
     * transport threads and drained by the main thread: both under this object's lock, which also makes
     * the recorded values visible to the drain. An uncontended lock costs tens of nanoseconds, outside
     * the time it records ({@code CheckService} reads the clock before it calls the listener).
     */
    private static final class DecisionTimes implements DecisionListener {
        private final long[] times;
        private int count;

        DecisionTimes(int capacity) {
            times = new long[capacity];
        }

        @Override
        public synchronized void decided(long elapsedNanos) {
            if (count < times.length) {
                times[count] = elapsedNanos;
            }
            count++; // counts past the capacity too, so that the drain can tell
        }

        synchronized void reset() {
            count = 0;
        }

        /** This block's times; more than the capacity means more calls than asked, reported by the caller. */
        synchronized long[] drain() {
            return count > times.length ? new long[count] : Arrays.copyOf(times, count);
        }
    }
}
