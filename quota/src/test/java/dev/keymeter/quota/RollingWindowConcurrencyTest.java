package dev.keymeter.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many threads behind a start gate, then an exact invariant. Times are fixed: nothing sleeps. */
class RollingWindowConcurrencyTest {

    private static final int THREADS = 8;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private final RollingWindow window = new RollingWindow(new HeapCounterCells(RollingWindow.CELLS), 0);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void tryAcquire_8ThreadsAtOneInstant_admitsExactlyTheLimit() throws Exception {
        long admitted = race(10_000, thread -> 5_000_000L, 1_000);
        assertEquals(1_000, admitted);
        assertEquals(1_000, window.peek(5_000_000L));
    }

    @Test
    void tryAcquire_threadsStraddlingSecondBoundaries_admitExactlyTheLimit() throws Exception {
        // 59.999 s, 60 s and 61 s lie in one window: together they get exactly the limit.
        long[] times = {59_999, 60_000, 61_000, 60_500};
        long admitted = race(10_000, thread -> times[thread % times.length], 1_000);
        assertEquals(1_000, admitted);
        assertEquals(1_000, window.peek(61_000));
    }

    @Test
    void tryAcquire_phasesAcrossTheWindow_admitExactlyWhatTheWindowFrees() throws Exception {
        long limit = 1_000;
        // second -> admissions expected with demand far above the limit.
        long[][] phases = {
            {0, 1_000}, {30, 0}, {61, 1_000}, {62, 0}, {121, 0}, {122, 1_000}, {500, 1_000},
        };
        for (long[] phase : phases) {
            long admitted = race(2_000, thread -> phase[0] * 1000 + thread, limit);
            assertEquals(phase[1], admitted, "second " + phase[0]);
        }
    }

    /** Runs {@code perThread} tryAcquire calls on each thread after a common gate; returns admissions. */
    private long race(int perThread, IntToLongFunction timeOfThread, long limit) throws Exception {
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<Long>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long now = timeOfThread.applyAsLong(t);
            results.add(pool.submit(() -> {
                ready.countDown();
                gate.await();
                long admitted = 0;
                for (int i = 0; i < perThread; i++) {
                    if (window.tryAcquire(now, limit).admitted()) {
                        admitted++;
                    }
                }
                return admitted;
            }));
        }
        ready.await();
        gate.countDown();
        long total = 0;
        for (Future<Long> f : results) {
            total += f.get();
        }
        return total;
    }
}
