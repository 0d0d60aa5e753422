package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LastUsedTrackerTest {

    @Test
    void drain_reportsEachKeyOnceWithItsLatestTime_thenNothingNew() {
        LastUsedTracker tracker = new LastUsedTracker(1_000);
        tracker.record("key_a", 10_000);
        tracker.record("key_a", 10_500); // within the resolution: not rewritten
        tracker.record("key_a", 11_000);
        tracker.record("key_b", 20_000);
        assertEquals(Map.of("key_a", Instant.ofEpochMilli(11_000), "key_b", Instant.ofEpochMilli(20_000)),
                tracker.drain());
        assertEquals(Map.of(), tracker.drain());
    }

    @Test
    void record_withoutALog_returnsTheTimeItStored() {
        LastUsedTracker tracker = new LastUsedTracker(1_000, 0);
        assertEquals(10_000, tracker.record("key_a", 10_000));
        assertEquals(10_000, tracker.record("key_a", 10_999)); // within the resolution: the older time stays
        assertEquals(11_000, tracker.record("key_a", 11_000));
    }

    @Test
    void record_logged_returnsItsTime_whichTheMergeStores() {
        LastUsedTracker tracker = new LastUsedTracker(1_000);
        assertEquals(10_000, tracker.record("key_a", 10_000));
        assertEquals(10_999, tracker.record("key_a", 10_999)); // logged as it is: the merge keeps the latest
        assertEquals(0, tracker.trackedKeys()); // nothing in the table before a merge
        assertEquals(2, tracker.mergeLogs());
        assertEquals(1, tracker.trackedKeys());
        assertEquals(0, tracker.mergeLogs());
        assertEquals(Map.of("key_a", Instant.ofEpochMilli(10_999)), tracker.drain());
    }

    @Test
    void record_fullLog_writesTheTableItself_andLosesNothing() {
        LastUsedTracker tracker = new LastUsedTracker(1_000, 2);
        tracker.record("key_a", 1_000);
        tracker.record("key_b", 2_000);
        assertEquals(3_000, tracker.record("key_c", 3_000)); // no room in the log: into the table
        assertEquals(1, tracker.trackedKeys());
        assertEquals(3_000, tracker.record("key_c", 3_500)); // the table's time, within the resolution
        assertEquals(Map.of("key_a", Instant.ofEpochMilli(1_000), "key_b", Instant.ofEpochMilli(2_000),
                "key_c", Instant.ofEpochMilli(3_000)), tracker.drain());
        tracker.record("key_a", 4_000); // the drain emptied the log: logged again
        assertEquals(Map.of("key_a", Instant.ofEpochMilli(4_000)), tracker.drain());
    }

    @Test
    void mergeLogs_threadThatEnded_itsUsesAreMergedAndItsLogDropped() throws Exception {
        LastUsedTracker tracker = new LastUsedTracker(1);
        tracker.record("key_main", 500);
        Thread worker = new Thread(() -> {
            tracker.record("key_a", 1_000);
            tracker.record("key_b", 2_000);
        });
        worker.start();
        worker.join();
        assertEquals(2, tracker.threadLogs());
        assertEquals(3, tracker.mergeLogs());
        assertEquals(1, tracker.threadLogs()); // this thread's log stays, the ended one's is gone
        assertEquals(Map.of("key_main", Instant.ofEpochMilli(500), "key_a", Instant.ofEpochMilli(1_000),
                "key_b", Instant.ofEpochMilli(2_000)), tracker.drain());
    }

    @Test
    void record_olderTime_neverLowersStoredTime() {
        LastUsedTracker tracker = new LastUsedTracker(1);
        tracker.record("key_a", 5_000);
        tracker.record("key_a", 4_000);
        assertEquals(Map.of("key_a", Instant.ofEpochMilli(5_000)), tracker.drain());
    }

    @Test
    void drain_idleKeys_areForgottenAndComeBackOnNextUse() {
        LastUsedTracker tracker = new LastUsedTracker(1);
        tracker.record("key_a", 1_000);
        tracker.drain();
        assertEquals(1, tracker.trackedKeys());
        tracker.drain(); // nothing new since the previous drain: retired
        assertEquals(0, tracker.trackedKeys());
        tracker.record("key_a", 2_000);
        assertEquals(Map.of("key_a", Instant.ofEpochMilli(2_000)), tracker.drain());
    }

    /**
     * The claim of {@link LastUsedTracker}'s header: with records racing drains (and the retirement of
     * idle cells), the latest time drained for each key is exactly the latest time recorded for it;
     * whether uses go through the threads' logs, through the table when a log is full (small logs
     * fill all the time), or straight to the table (no logs).
     */
    @ParameterizedTest(name = "log capacity {0}")
    @ValueSource(ints = {LastUsedTracker.DEFAULT_LOG_CAPACITY, 64, 1, 0})
    void recordAndDrain_manyThreads_reportEveryKeysLatestTime(int logCapacity) throws Exception {
        int threads = 4;
        int keys = 8;
        int perThread = 200_000;
        LastUsedTracker tracker = new LastUsedTracker(1, logCapacity);
        AtomicLongArray latestRecorded = new AtomicLongArray(keys);
        Map<String, Instant> latestDrained = new HashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Future<?>[] writers = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                int thread = t;
                writers[t] = pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        int key = (i * 7 + thread) % keys;
                        long now = (long) i * threads + thread + 1; // distinct, rising per thread
                        tracker.record("key_" + key, now);
                        latestRecorded.accumulateAndGet(key, now, Math::max);
                    }
                    return null;
                });
            }
            start.countDown();
            while (!done.get()) {
                merge(latestDrained, tracker.drain());
                done.set(java.util.Arrays.stream(writers).allMatch(Future::isDone));
            }
            for (Future<?> w : writers) {
                w.get(1, TimeUnit.MINUTES);
            }
            merge(latestDrained, tracker.drain());
        } finally {
            pool.shutdownNow();
        }
        for (int k = 0; k < keys; k++) {
            assertEquals(Instant.ofEpochMilli(latestRecorded.get(k)), latestDrained.get("key_" + k), "key_" + k);
        }
        assertTrue(tracker.drain().isEmpty());
    }

    private static void merge(Map<String, Instant> into, Map<String, Instant> drained) {
        drained.forEach((k, v) -> into.merge(k, v, (a, b) -> a.isAfter(b) ? a : b));
    }
}
