package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link FleetBudget}'s release under contention (the ordering argument of its class comment): while
 * many threads admit requests against the allotment, the sync lowers the allotment to what was
 * committed and then reads the committed amount; once the threads are quiet, nothing may be committed
 * beyond that read (every admission either was read, or saw the lower allotment on its re-check and
 * gave its reservation back). Then the allotment grows again, and the next round begins.
 */
class FleetBudgetConcurrencyTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final int THREADS = 4;
    private static final int ROUNDS = 300;

    @Test
    void release_neverLetsAnAdmissionPastTheCommittedAmountItReported() throws Exception {
        PeriodBudget local = new PeriodBudget(new HeapCounterCells(PeriodBudget.CELLS), 0, ResetPeriod.DAILY);
        FleetBudget budget = new FleetBudget("key", 0, FleetBudget.Kind.TOKENS, ResetPeriod.DAILY, 10_000_000, local, NOW);
        grant(budget, 100);
        AtomicBoolean pause = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger quiet = new AtomicInteger();
        AtomicLong kept = new AtomicLong();
        AtomicLong undone = new AtomicLong();
        CountDownLatch done = new CountDownLatch(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Thread t = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        if (pause.get()) {
                            quiet.incrementAndGet();
                            while (pause.get() && !stop.get()) {
                                Thread.yield();
                            }
                            quiet.decrementAndGet();
                            continue;
                        }
                        BudgetProbe p = local.tryReserve(NOW, 1, budget.limitFor(NOW, 1));
                        if (!p.admitted()) {
                            continue;
                        }
                        if (budget.fits(NOW, p.used() + p.reserved(), 1)) {
                            kept.incrementAndGet();
                        } else {
                            local.settle(NOW, p, 0);
                            undone.incrementAndGet();
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
            threads.add(t);
            t.start();
        }
        try {
            for (int round = 0; round < ROUNDS; round++) {
                assertTrue(budget.startSync(NOW));
                FleetBudget.Capture c = budget.capture(NOW, 1, true);
                pause.set(true);
                while (quiet.get() < THREADS) {
                    Thread.yield();
                }
                long committed = local.snapshot(NOW).committed();
                assertTrue(committed <= c.used(), "round " + round + ": committed " + committed
                        + " after a release that reported " + c.used());
                budget.apply(c, committed + 1_000_000, 0, 0, NOW);
                pause.set(false);
                while (quiet.get() > 0) {
                    Thread.yield();
                }
            }
        } finally {
            stop.set(true);
            pause.set(false);
            done.await();
        }
        assertEquals(kept.get(), local.snapshot(NOW).committed(), "every kept admission is committed, no other");
        assertTrue(undone.get() > 0 && kept.get() > ROUNDS, "no admission raced a release: the test tested nothing (" + kept.get() + " kept)");
        System.out.printf("fleet budget release: %d admissions kept, %d given back on the re-check%n", kept.get(),
                undone.get());
    }

    private static void grant(FleetBudget budget, long allotment) {
        assertTrue(budget.startSync(NOW));
        FleetBudget.Capture c = budget.capture(NOW, 1, false);
        budget.apply(c, allotment, 0, 0, NOW);
    }
}
