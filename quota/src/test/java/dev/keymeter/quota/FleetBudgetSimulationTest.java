package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fleet's token / cost bound, checked by simulation: N sidecars (each a real {@link PeriodBudget}
 * and {@link FleetSync}) share one key's daily budget through the {@link FleetModel}'s model of the
 * budget script, on a virtual clock, with random tick, round trip and jitter, random estimates and
 * actual usage settled 50 ms – 3 s after admission; per traffic shape 2,500 seeded scenarios (10,000
 * in all), a quarter of them crossing midnight (a new period), a third with faults: lost commands and
 * replies, an outage, a failover that loses the last writes. For every period of every scenario:
 * <ul>
 *   <li>without an outage or failover: fleet usage ≤ L + Σ (actual − estimate)⁺ over the requests
 *       charged to the period + N·E (each sidecar's first request of the period, admitted before its
 *       first allotment; E the largest estimate) — exactly L + N·E when estimates are upper bounds;</li>
 *   <li>with an outage: + L more at most (each sidecar once adds ⌊(L − fleet committed) / N⌋ as it
 *       last saw it); with a failover that lost writes: + L more at most (the lost records' allotments
 *       may be granted again).</li>
 * </ul>
 * It also prints how much of L the fleet used where demand was at least 2 L (allotments held by idle
 * sidecars cause early 429s, never overshoot). Rerun one scenario with {@code -Dfleet.seed=SEED}.
 */
class FleetBudgetSimulationTest {

    private static final int SCENARIOS_PER_SHAPE = 2_500;
    private static final long DAY = 86_400_000L;
    private static final long START = 20_833 * DAY + 8 * 3_600_000L;
    private static final long DURATION = 30_000;
    private static final long[] LIMITS = {1, 10, 1_000, 100_000, 5_000_000};
    private static final double MAX_RATE = 40;

    enum Shape { UNIFORM, COLD_START_BURST, ALL_AT_THE_LIMIT, ONE_HOT_SIDECAR }

    /** Per period: what the fleet was charged, the bound, and whether demand reached 2 L. */
    record Period(long used, long bound, long limit, boolean saturated) {
    }

    record Outcome(String settings, List<Period> periods, long admitted) {
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void everyPeriodOfEveryScenario_staysWithinTheStatedBound(Shape shape) {
        String only = System.getProperty("fleet.seed");
        long first = only == null ? 10_000_000L + shape.ordinal() * 1_000_000L : Long.parseLong(only);
        int count = only == null ? SCENARIOS_PER_SHAPE : 1;
        List<Outcome> outcomes = LongStream.range(first, first + count).parallel().mapToObj(seed -> run(shape, seed))
                .toList();
        long admitted = 0;
        double utilisation = 0;
        int saturated = 0;
        long worstOver = 0;
        for (int i = 0; i < count; i++) {
            Outcome o = outcomes.get(i);
            admitted += o.admitted();
            for (Period p : o.periods()) {
                assertTrue(p.used() <= p.bound(), "seed " + (first + i) + " (" + shape + ", " + o.settings()
                        + "): fleet usage " + p.used() + " > bound " + p.bound());
                worstOver = Math.max(worstOver, p.used() - p.limit());
                if (p.saturated() && p.limit() >= 1_000) {
                    utilisation += Math.min(1.0, (double) p.used() / p.limit());
                    saturated++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "fleet budget simulation %s: %d scenarios, %d admitted, worst overshoot %d,"
                + " mean use of L where demand ≥ 2 L: %.3f (%d periods)%n", shape, count, admitted, worstOver,
                saturated == 0 ? 0 : utilisation / saturated, saturated);
        assertTrue(admitted > 0, "the scenarios admitted nothing: they test nothing");
        if (saturated > 0 && only == null) {
            assertTrue(utilisation / saturated > 0.5, "allotments strand most of the budget: " + utilisation / saturated);
        }
    }

    private static Outcome run(Shape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        long start = r.nextInt(4) == 0 ? START + (DAY - 8 * 3_600_000L) - r.nextLong(DURATION) : START;
        FleetModel world = new FleetModel(seed, start);
        r = world.random();
        int n = 1 + r.nextInt(5);
        long limit = LIMITS[r.nextInt(LIMITS.length)];
        long tick = 40 + r.nextLong(161);
        world.minOneWayMillis = r.nextLong(2);
        world.maxOneWayMillis = world.minOneWayMillis + r.nextLong(1 + r.nextInt(3) == 0 ? 50 : 3);
        boolean faults = r.nextInt(3) == 0;
        boolean outage = false;
        boolean failover = false;
        long trafficFrom = start + 2_000;
        world.faultsFrom = trafficFrom;
        if (faults) {
            world.lostCommands = r.nextDouble() * 0.2;
            world.lostReplies = r.nextDouble() * 0.2;
            if (r.nextBoolean()) {
                outage = true;
                long from = trafficFrom + r.nextLong(DURATION / 2);
                world.outage(from, from + 500 + r.nextLong(10_000));
            }
            if (r.nextBoolean()) {
                failover = true;
                world.failover(trafficFrom + r.nextLong(DURATION - 2_000), 100 + r.nextLong(2_000));
            }
        }
        boolean upperBounds = r.nextBoolean(); // estimates are upper bounds of the actual usage
        long largestEstimate = Math.max(1, limit / (5 + r.nextInt(40)));
        Traffic traffic = new Traffic(r, largestEstimate, upperBounds);
        double rate = switch (shape) {
            case UNIFORM, ONE_HOT_SIDECAR -> 1 + r.nextDouble() * MAX_RATE;
            case COLD_START_BURST -> 0;
            case ALL_AT_THE_LIMIT -> MAX_RATE;
        };

        List<Sidecar> sidecars = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Sidecar s = new Sidecar(world, "sidecar-" + i, tick, limit, traffic);
            sidecars.add(s);
            world.at(start + r.nextLong(tick), s::tickLoop);
        }
        sidecars.forEach(s -> s.sync.heartbeat());
        if (shape == Shape.COLD_START_BURST) {
            long burst = 20 + r.nextInt(200);
            long at = trafficFrom + r.nextLong(DURATION / 2);
            for (long i = 0; i < burst; i++) {
                Sidecar s = sidecars.get(r.nextInt(n));
                world.at(at + r.nextLong(1_000), s::request);
            }
            traffic.demand = burst * largestEstimate / 2;
        } else {
            int hot = shape == Shape.ONE_HOT_SIDECAR ? r.nextInt(n) : -1;
            double t = trafficFrom;
            while (true) {
                t += -Math.log(1 - r.nextDouble()) * 1000.0 / rate;
                if (t >= start + DURATION) {
                    break;
                }
                Sidecar s = hot >= 0 && r.nextDouble() < 0.8 ? sidecars.get(hot) : sidecars.get(r.nextInt(n));
                world.at((long) t, s::request);
            }
            traffic.demand = (long) (rate * (DURATION - 2_000) / 1000 * largestEstimate / 2);
        }
        world.runUntil(start + DURATION + 5_000);

        List<Period> periods = new ArrayList<>();
        for (var e : traffic.usedByPeriod.entrySet()) {
            long excess = traffic.excessByPeriod.getOrDefault(e.getKey(), 0L);
            long bound = limit + excess + n * largestEstimate + (outage ? limit : 0) + (failover ? limit : 0);
            periods.add(new Period(e.getValue(), bound, limit, traffic.demand >= 2 * limit && !faults));
        }
        String settings = String.format(Locale.ROOT, "N=%d L=%d E=%d upper=%s T=%dms d<=%dms R=%.2f/s faults=%s", n,
                limit, largestEstimate, upperBounds, tick, 2 * world.maxOneWayMillis, rate,
                faults ? world.faults() : "none");
        return new Outcome(settings, periods, traffic.admitted);
    }

    /** Estimates and actual usage of the scenario's requests, and what each period was charged. */
    private static final class Traffic {
        final SplittableRandom random;
        final long largestEstimate;
        final boolean upperBounds;
        final Map<Long, Long> usedByPeriod = new HashMap<>();
        final Map<Long, Long> excessByPeriod = new HashMap<>();
        long admitted;
        long demand;

        Traffic(SplittableRandom random, long largestEstimate, boolean upperBounds) {
            this.random = random;
            this.largestEstimate = largestEstimate;
            this.upperBounds = upperBounds;
        }

        long estimate() {
            if (!upperBounds && random.nextInt(10) == 0) {
                return 0; // no estimate at all: admitted while anything remains
            }
            return 1 + random.nextLong(largestEstimate);
        }

        long actual(long estimate) {
            double f = upperBounds ? 0.3 + 0.7 * random.nextDouble() : 0.5 + 1.5 * random.nextDouble();
            long base = estimate == 0 ? 1 + random.nextLong(largestEstimate) : estimate;
            return Math.max(0, (long) Math.floor(base * f));
        }

        void charged(long periodIndex, long actual, long estimate) {
            usedByPeriod.merge(periodIndex, actual, Long::sum);
            excessByPeriod.merge(periodIndex, Math.max(0, actual - estimate), Long::sum);
        }
    }

    /** One sidecar: the key's own budget, its fleet sync and its tick loop, deciding as Budgets does. */
    private static final class Sidecar {
        private final FleetModel world;
        private final FleetSync sync;
        private final PeriodBudget local = new PeriodBudget(new HeapCounterCells(PeriodBudget.CELLS), 0,
                ResetPeriod.DAILY);
        private final long tick;
        private final long limit;
        private final Traffic traffic;

        Sidecar(FleetModel world, String id, long tick, long limit, Traffic traffic) {
            this.world = world;
            this.tick = tick;
            this.limit = limit;
            this.traffic = traffic;
            this.sync = new FleetSync(world.storeFor(), new FleetSync.Settings(id, tick, 1_000, 3_000, 1_000),
                    world::now);
        }

        void tickLoop() {
            sync.tick();
            world.at(world.now() + tick / 4 + world.random().nextLong(1 + tick / 8), this::tickLoop);
        }

        void request() {
            long now = world.now();
            long estimate = traffic.estimate();
            FleetBudget budget = sync.budgetOf("key", 0, FleetBudget.Kind.TOKENS, limit, ResetPeriod.DAILY, local, now);
            BudgetProbe p = local.tryReserve(now, estimate, budget.limitFor(now, estimate));
            if (!p.admitted()) {
                budget.refused();
                return;
            }
            if (!budget.fits(now, p.used() + p.reserved(), estimate)) {
                local.settle(now, p, 0);
                return;
            }
            traffic.admitted++;
            long actual = traffic.actual(estimate);
            world.at(now + 50 + world.random().nextLong(3_000), () -> {
                long at = world.now();
                long charged = ResetPeriod.DAILY.indexAt(at) == ResetPeriod.DAILY.indexAt(p.periodStartMillis())
                        ? ResetPeriod.DAILY.indexAt(p.periodStartMillis()) : ResetPeriod.DAILY.indexAt(at);
                local.settle(at, p, actual);
                budget.changed();
                // Charged to a later period than reserved in: its estimate was never counted there.
                traffic.charged(charged, actual, charged == ResetPeriod.DAILY.indexAt(p.periodStartMillis()) ? estimate : 0);
            });
        }
    }
}
