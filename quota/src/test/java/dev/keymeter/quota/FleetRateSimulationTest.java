package dev.keymeter.quota;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fleet's requests-per-minute bound, checked by simulation: N sidecars (each a real
 * {@link RollingWindow} and {@link FleetSync}) share one key through the {@link FleetModel}, on a
 * virtual clock, with random tick, round trip and jitter; per traffic shape, 2,500 seeded
 * scenarios (10,000 in all), a third of them with faults: lost commands and replies, an outage, a
 * failover that loses the last writes. Every 60 s window of every scenario is checked:
 * <ul>
 *   <li>always: admitted ≤ L + ⌊L·(N − 1)/N⌋ + N (the share cap; + N for the floors of the
 *       fallback limits), and ≤ L + 2·⌊L·(N − 1)/N⌋ + N in a scenario with an outage of the store
 *       (each sidecar falls back to ⌊L / N⌋ of its own, whatever the others admitted before) or a
 *       failover that lost writes (until every sidecar has pushed its counts again, the fleet count
 *       is low);</li>
 *   <li>without faults, at a steady fleet rate R: admitted ≤ L + R·(2T + d + 2s) + N, T the longest
 *       tick, d the longest round trip and s the clock skew: each sidecar's clock is off by a fixed
 *       amount within ±s, s = 0 (in two fifths of the scenarios), 20, 100 or 250 ms.</li>
 * </ul>
 * A failing scenario prints its seed and settings; rerun one with {@code -Dfleet.seed=SEED}.
 */
class FleetRateSimulationTest {

    private static final int SCENARIOS_PER_SHAPE = 2_500;
    private static final long START = 1_800_000_000_000L;
    private static final long DURATION = 80_000;
    private static final long[] LIMITS = {1, 3, 10, 60, 120, 300};
    /** Requests per second at most, so that 10,000 scenarios stay within seconds of CPU. */
    private static final double MAX_RATE = 60;

    enum Shape { UNIFORM, COLD_START_BURST, ALL_AT_THE_LIMIT, ONE_HOT_SIDECAR }

    /** What one scenario ran and what it saw. */
    record Outcome(String settings, long limit, long worstWindow, long hardBound, long rateBound, boolean faults,
                   long admitted) {
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void everyWindowOfEveryScenario_staysWithinTheStatedBound(Shape shape) {
        String only = System.getProperty("fleet.seed");
        long first = only == null ? shape.ordinal() * 1_000_000L : Long.parseLong(only);
        int count = only == null ? SCENARIOS_PER_SHAPE : 1;
        long admittedInAll = 0;
        long worstOvershoot = 0;
        // Scenarios are independent: run them on every core, check them in seed order.
        List<Outcome> outcomes = LongStream.range(first, first + count).parallel().mapToObj(seed -> run(shape, seed))
                .toList();
        for (int i = 0; i < count; i++) {
            long seed = first + i;
            Outcome o = outcomes.get(i);
            admittedInAll += o.admitted();
            worstOvershoot = Math.max(worstOvershoot, o.worstWindow() - o.limit());
            String context = "seed " + seed + " (" + shape + ", " + o.settings() + "): worst 60 s window "
                    + o.worstWindow();
            assertTrue(o.worstWindow() <= o.hardBound(), context + " > share-cap bound " + o.hardBound());
            if (!o.faults()) {
                assertTrue(o.worstWindow() <= o.rateBound(), context + " > rate bound " + o.rateBound());
            }
        }
        System.out.printf(Locale.ROOT, "fleet simulation %s: %d scenarios, %d admitted, worst overshoot %d%n",
                shape, count, admittedInAll, worstOvershoot);
        assertTrue(admittedInAll > 0, "the scenarios admitted nothing: they test nothing");
    }

    private static Outcome run(Shape shape, long seed) {
        FleetModel world = new FleetModel(seed, START);
        SplittableRandom r = world.random();
        int n = 1 + r.nextInt(5);
        long limit = LIMITS[r.nextInt(LIMITS.length)];
        long tick = 40 + r.nextLong(161);
        world.minOneWayMillis = r.nextLong(2);
        world.maxOneWayMillis = world.minOneWayMillis + r.nextLong(1 + r.nextInt(3) == 0 ? 50 : 3);
        boolean faults = r.nextInt(3) == 0;
        boolean disrupted = false;
        long trafficFrom = START + 2_000;
        world.faultsFrom = trafficFrom;
        if (faults) {
            world.lostCommands = r.nextDouble() * 0.2;
            world.lostReplies = r.nextDouble() * 0.2;
            if (r.nextBoolean()) {
                disrupted = true;
                long from = trafficFrom + r.nextLong(DURATION / 2);
                world.outage(from, from + 500 + r.nextLong(30_000));
            }
            if (r.nextBoolean()) {
                disrupted = true;
                world.failover(trafficFrom + r.nextLong(DURATION - 2_000), 100 + r.nextLong(2_000));
            }
        }
        // Fleet rate in requests per second, relative to the limit's own pace (L / 60 s).
        double pace = limit / 60.0;
        double rate = switch (shape) {
            case UNIFORM, ONE_HOT_SIDECAR -> pace * (0.5 + r.nextDouble() * 8);
            case COLD_START_BURST -> 0;
            case ALL_AT_THE_LIMIT -> Math.max(pace * 20, n * 2.0);
        };
        rate = Math.min(rate, MAX_RATE);

        // Sidecar clocks disagree by up to 2·skew (NTP keeps real ones within milliseconds).
        long skew = new long[] {0, 0, 20, 100, 250}[r.nextInt(5)];
        List<Sidecar> sidecars = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long offset = skew == 0 ? 0 : r.nextLong(2 * skew + 1) - skew;
            Sidecar s = new Sidecar(world, "sidecar-" + i, tick, limit, offset);
            sidecars.add(s);
            world.at(START + r.nextLong(tick), s::tickLoop);
        }
        // Warm up membership before traffic, as the sidecar does before it reports ready.
        sidecars.forEach(s -> s.sync.heartbeat());
        List<Long> admissions = new ArrayList<>();
        if (shape == Shape.COLD_START_BURST) {
            long burst = limit * (1 + r.nextInt(4)) + n;
            rate = burst; // all of it within one second
            long at = trafficFrom + r.nextLong(30_000);
            for (long i = 0; i < burst; i++) {
                Sidecar s = sidecars.get(r.nextInt(n));
                world.at(at + r.nextLong(1_000), () -> s.request(admissions));
            }
        } else {
            int hot = r.nextInt(n);
            scheduleArrivals(world, sidecars, shape == Shape.ONE_HOT_SIDECAR ? hot : -1, rate, trafficFrom,
                    START + DURATION, admissions);
        }
        world.runUntil(START + DURATION + 1_000);

        long worst = worstWindow(admissions);
        // An outage or a failover that loses writes lets the share cap apply once more: in an outage
        // each sidecar falls back to ⌊L / N⌋ of its own, whatever the others admitted before; after
        // a failover the fleet count is low until every sidecar has pushed again (within a tick).
        long hardBound = limit + (disrupted ? 2 : 1) * (limit * (n - 1) / n) + n;
        long longestRoundTrip = 2 * world.maxOneWayMillis;
        // A sidecar ahead files its latest admissions under seconds a sidecar behind does not sum yet.
        long rateBound = limit + (long) Math.ceil(rate * (2 * tick + longestRoundTrip + 2 * skew) / 1000.0) + n;
        String settings = String.format(Locale.ROOT, "N=%d L=%d T=%dms d<=%dms skew<=±%dms R=%.2f/s faults=%s", n,
                limit, tick, longestRoundTrip, skew, rate, faults ? world.faults() : "none");
        return new Outcome(settings, limit, worst, hardBound, rateBound, faults, admissions.size());
    }

    /** Poisson arrivals at {@code rate} per second, to a random sidecar (80% to {@code hot} when ≥ 0). */
    private static void scheduleArrivals(FleetModel world, List<Sidecar> sidecars, int hot, double rate, long from,
            long to, List<Long> admissions) {
        SplittableRandom r = world.random();
        double t = from;
        while (rate > 0) {
            t += -Math.log(1 - r.nextDouble()) * 1000.0 / rate;
            if (t >= to) {
                return;
            }
            Sidecar s = hot >= 0 && r.nextDouble() < 0.8 ? sidecars.get(hot) : sidecars.get(r.nextInt(sidecars.size()));
            world.at((long) t, () -> s.request(admissions));
        }
    }

    /** The most admissions in any interval [x, x + 60 s). */
    static long worstWindow(List<Long> sortedTimes) {
        long worst = 0;
        int from = 0;
        for (int to = 0; to < sortedTimes.size(); to++) {
            while (sortedTimes.get(to) - sortedTimes.get(from) >= 60_000) {
                from++;
            }
            worst = Math.max(worst, to - from + 1);
        }
        return worst;
    }

    /** One sidecar: the key's own window, its fleet sync and its tick loop, deciding as Budgets does. */
    private static final class Sidecar {
        private final FleetModel world;
        private final FleetSync sync;
        private final RollingWindow window = new RollingWindow(new HeapCounterCells(RollingWindow.CELLS), 0);
        private final long tick;
        private final long limit;
        private final long clockOffset;

        Sidecar(FleetModel world, String id, long tick, long limit, long clockOffset) {
            this.world = world;
            this.tick = tick;
            this.limit = limit;
            this.clockOffset = clockOffset;
            this.sync = new FleetSync(world.storeFor(), new FleetSync.Settings(id, tick, 1_000, 3_000, 1_000),
                    this::clock);
        }

        /** This sidecar's clock: the world's, off by a fixed offset. */
        long clock() {
            return world.now() + clockOffset;
        }

        void tickLoop() {
            sync.tick();
            world.at(world.now() + tick / 4 + world.random().nextLong(1 + tick / 8), this::tickLoop);
        }

        void request(List<Long> admissions) {
            long now = clock();
            FleetRate rate = sync.rateOf("key", 0, limit, window, now);
            long applied = sync.take(rate, now);
            if (applied < 0) {
                return;
            }
            boolean admitted = window.tryAcquire(now, applied).admitted();
            rate.settle(admitted);
            if (admitted) {
                admissions.add(world.now());
            }
        }
    }
}
