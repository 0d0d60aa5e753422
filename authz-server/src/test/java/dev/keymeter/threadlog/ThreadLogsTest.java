package dev.keymeter.threadlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ThreadLogsTest {

    @Test
    void drainTo_givesEachEntryOnce_inTheOrderAppended() {
        ThreadLogs logs = new ThreadLogs(4);
        assertTrue(logs.offer("a", 1));
        assertTrue(logs.offer("b", 2));
        assertTrue(logs.offer("a", 3));
        List<String> seen = new ArrayList<>();
        assertEquals(3, logs.drainTo((key, value) -> seen.add(key + value)));
        assertEquals(List.of("a1", "b2", "a3"), seen);
        assertEquals(0, logs.drainTo((key, value) -> seen.add(key + value)));
    }

    @Test
    void offer_fullRing_failsUntilDrained() {
        ThreadLogs logs = new ThreadLogs(2);
        assertTrue(logs.offer("a", 1));
        assertTrue(logs.offer("b", 2));
        assertFalse(logs.offer("c", 3));
        assertEquals(2, logs.drainTo((key, value) -> { }));
        assertTrue(logs.offer("c", 3)); // the ring wraps around
        assertTrue(logs.offer("d", 4));
        List<String> seen = new ArrayList<>();
        logs.drainTo((key, value) -> seen.add(key + value));
        assertEquals(List.of("c3", "d4"), seen);
    }

    @Test
    void capacity_notAPowerOfTwo_isRefusedWithItsValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ThreadLogs(3));
        assertEquals("capacity must be a power of two of at least 1, was 3", e.getMessage());
    }

    /**
     * Producers append while a drainer drains all the time, through rings far smaller than what they
     * append, so every slot is reused thousands of times under the race: the drainer must see every
     * entry exactly once, with the value its producer wrote (an entry overwritten before it was
     * drained, or drained twice, changes the sums), and each producer's entries in order.
     */
    @Test
    void offerAndDrain_racing_everyEntryDrainedExactlyOnce() throws Exception {
        int producers = 3;
        int perProducer = 300_000;
        ThreadLogs logs = new ThreadLogs(64);
        long[] sums = new long[producers];
        long[] last = new long[producers];
        boolean[] ordered = {true};
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++) {
            String key = "p" + p;
            threads[p] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (long v = 1; v <= perProducer; v++) {
                    while (!logs.offer(key, v)) {
                        Thread.onSpinWait(); // full: wait for the drainer (the callers in keymeter count at once instead)
                    }
                }
            });
            threads[p].start();
        }
        start.countDown();
        while (!done.get()) {
            done.set(!threads[0].isAlive() && !threads[1].isAlive() && !threads[2].isAlive());
            logs.drainTo((key, value) -> {
                int p = key.charAt(1) - '0';
                sums[p] += value;
                ordered[0] &= value == last[p] + 1;
                last[p] = value;
            });
        }
        long expected = (long) perProducer * (perProducer + 1) / 2;
        for (int p = 0; p < producers; p++) {
            assertEquals(expected, sums[p], "p" + p);
        }
        assertTrue(ordered[0], "each producer's entries in the order appended");
        assertEquals(0, logs.threads(), "the ended producers' rings are dropped");
    }
}
