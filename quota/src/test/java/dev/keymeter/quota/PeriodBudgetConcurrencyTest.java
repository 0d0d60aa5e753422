package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many threads behind a start gate, then an exact invariant. Times are fixed: nothing sleeps. */
class PeriodBudgetConcurrencyTest {

    private static final int THREADS = 8;
    private static final long DAY_END = Instant.parse("2026-11-22T23:59:59.999Z").toEpochMilli();
    private static final long NEXT_DAY = DAY_END + 1;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private final PeriodBudget budget = new PeriodBudget(new HeapCounterCells(PeriodBudget.CELLS), 0, ResetPeriod.DAILY);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void tryReserve_manyThreads_admittedEstimatesNeverPassTheLimit_andNoneIsLost() throws Exception {
        long limit = 1_000_000;
        List<Long> admittedSums = race(thread -> () -> {
            SplittableRandom random = new SplittableRandom(thread);
            long sum = 0;
            for (int i = 0; i < 20_000; i++) {
                long estimate = 1 + random.nextInt(100);
                if (budget.tryReserve(DAY_END, estimate, limit).admitted()) {
                    sum += estimate;
                }
            }
            return sum;
        });
        long admitted = admittedSums.stream().mapToLong(Long::longValue).sum();
        BudgetUsage usage = budget.snapshot(DAY_END);
        assertEquals(admitted, usage.reserved(), "every admitted reservation is counted, once");
        assertTrue(admitted <= limit, "admitted " + admitted);
        // Liveness: a refusal means committed + estimate > limit, and estimates are at most 100.
        assertTrue(admitted > limit - 100, "admitted " + admitted);
    }

    @Test
    void add_manyThreads_sumsExactly() throws Exception {
        race(thread -> () -> {
            for (int i = 0; i < 50_000; i++) {
                budget.add(DAY_END, thread + 1);
            }
            return 0L;
        });
        assertEquals(50_000L * (THREADS * (THREADS + 1) / 2), budget.snapshot(DAY_END).used());
    }

    @Test
    void add_threadsCrossingTheBoundaryTogether_resetOnce_andLoseNothing() throws Exception {
        // Each thread: adds to the old day, then to the new day, interleaved with the others.
        race(thread -> () -> {
            for (int i = 0; i < 5_000; i++) {
                budget.add(DAY_END, 1);
            }
            for (int i = 0; i < 5_000; i++) {
                budget.add(NEXT_DAY, 1);
                budget.add(DAY_END, 1); // late: charged to the new day, never resets back
            }
            return 0L;
        });
        // Threads crossed at different moments, so some old-day adds fell after the reset (and were
        // charged to the new day): the new day holds every add made after the single reset.
        long newDay = budget.snapshot(NEXT_DAY).used();
        assertTrue(newDay >= THREADS * 10_000L && newDay <= THREADS * 15_000L, "new day " + newDay);
        assertEquals(0, budget.snapshot(NEXT_DAY).reserved());
    }

    @Test
    void add_allThreadsStartInTheNewPeriod_togetherSumExactly() throws Exception {
        budget.add(DAY_END, 12_345);
        race(thread -> () -> {
            for (int i = 0; i < 10_000; i++) {
                budget.add(NEXT_DAY, 1);
            }
            return 0L;
        });
        assertEquals(THREADS * 10_000L, budget.snapshot(NEXT_DAY).used(), "one reset, no add lost");
    }

    @Test
    void reserveAndSettle_manyThreads_usedIsExactlyTheSumOfActuals() throws Exception {
        long limit = PeriodBudget.MAX_AMOUNT;
        List<Long> actuals = race(thread -> () -> {
            SplittableRandom random = new SplittableRandom(100 + thread);
            long sum = 0;
            for (int i = 0; i < 20_000; i++) {
                BudgetProbe r = budget.tryReserve(DAY_END, 1 + random.nextInt(100), limit);
                long actual = random.nextInt(150);
                budget.settle(DAY_END, r, actual);
                sum += actual;
            }
            return sum;
        });
        BudgetUsage usage = budget.snapshot(DAY_END);
        assertEquals(actuals.stream().mapToLong(Long::longValue).sum(), usage.used());
        assertEquals(0, usage.reserved());
    }

    private List<Long> race(IntFunction<Callable<Long>> work) throws Exception {
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<Long>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Callable<Long> task = work.apply(t);
            futures.add(pool.submit(() -> {
                ready.countDown();
                gate.await();
                return task.call();
            }));
        }
        ready.await();
        gate.countDown();
        List<Long> results = new ArrayList<>();
        for (Future<Long> f : futures) {
            results.add(f.get());
        }
        return results;
    }
}
