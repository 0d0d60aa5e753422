package dev.keymeter.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@link FleetRate} under real threads: four threads take permits and count them in a real
 * {@link RollingWindow} while a fifth syncs as fast as it can against a fleet of one (the fleet count
 * is the window's own sum). Every sync must deduct exactly what was admitted while it was on its way
 * and what was between taking a permit and reaching the window: then the fleet admits exactly L,
 * never L + 1, however the threads interleave with the captures.
 */
class FleetRateConcurrencyTest {

    private static final long LIMIT = 50_000;
    private static final long NOW = 1_800_000_000_000L;
    private static final int THREADS = 4;

    @Test
    void takeWhileSyncing_fleetOfOne_admitsExactlyTheLimit() throws Exception {
        for (int round = 0; round < 5; round++) {
            RollingWindow window = new RollingWindow(new HeapCounterCells(RollingWindow.CELLS), 0);
            FleetRate rate = new FleetRate("key", 0, LIMIT, 0, window, NOW);
            AtomicBoolean done = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<?>> takers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                takers.add(pool.submit(() -> {
                    gate.await();
                    while (!done.get()) {
                        if (rate.tryTake()) {
                            rate.settle(window.tryAcquire(NOW, RollingWindow.MAX_LIMIT).admitted());
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                    return null;
                }));
            }
            gate.countDown();
            long syncs = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (window.peek(NOW) < LIMIT && System.nanoTime() < deadline) {
                assertTrue(rate.startSync(NOW + syncs));
                FleetRate.Capture capture = rate.capture(NOW);
                long fleet = 0;
                for (long c : capture.counts()) {
                    fleet += c;
                }
                rate.apply(capture, fleet, 1, NOW);
                syncs++;
            }
            // Let the takers drain whatever allowance the last sync left, then stop them.
            long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            while (System.nanoTime() < quietUntil) {
                Thread.onSpinWait();
            }
            done.set(true);
            for (Future<?> f : takers) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            assertEquals(LIMIT, window.peek(NOW), "admitted in round " + round + " after " + syncs + " syncs");
            assertTrue(syncs > 1, "the takers must have raced with more than one sync");
        }
    }
}
