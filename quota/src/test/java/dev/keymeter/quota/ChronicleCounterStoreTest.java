package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.chronicle.PersistedMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ChronicleCounterStore} in one process: files, identity of cells, capacity, and the counters on it. */
class ChronicleCounterStoreTest {

    private static final String KEY = "key_zziPgMOOy85AbpfC7hoJ";
    private static final String OTHER = "key_0000000000000000000B";
    private static final int THREADS = 8;

    @TempDir Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void reopen_keepsEveryCellAndTheClosedStateIsClean() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 100)) {
            assertFalse(store.recovered());
            CounterCells cells = store.cellsFor(KEY, 7);
            for (int i = 0; i < KeyQuota.CELLS; i++) {
                cells.setVolatile(i, 1_000L * i - 3);
            }
            assertEquals(-3, cells.getAndAdd(0, 10));
            assertTrue(cells.compareAndSet(1, 997, Long.MIN_VALUE));
            store.cellsFor(OTHER, 7).getAndAdd(65, Long.MAX_VALUE);
            assertTrue(Files.exists(dir.resolve(ChronicleCounterStore.OPEN_MARKER)));
        }
        assertFalse(Files.exists(dir.resolve(ChronicleCounterStore.OPEN_MARKER)), "clean close leaves no marker");
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 100)) {
            assertFalse(store.recovered());
            assertEquals(2, store.size());
            CounterCells cells = store.existing(KEY, 7);
            assertNotNull(cells);
            assertEquals(7, cells.getVolatile(0));
            assertEquals(Long.MIN_VALUE, cells.getVolatile(1));
            for (int i = 2; i < KeyQuota.CELLS; i++) {
                assertEquals(1_000L * i - 3, cells.getVolatile(i), "cell " + i);
            }
            assertEquals(Long.MAX_VALUE, store.existing(OTHER, 7).getVolatile(65));
            assertEquals(0, store.existing(OTHER, 7).getVolatile(64), "neighbouring entries do not overlap");
        }
    }

    @Test
    void cells_areTheEntrysValueBytes_littleEndianAtEightTimesTheIndex() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            CounterCells cells = store.cellsFor(KEY, 7);
            for (int i = 0; i < KeyQuota.CELLS; i++) {
                cells.setVolatile(i, 0x0102_0304_0506_0700L + i);
            }
        }
        // Read the closed file through Chronicle itself, by copying (no flyweight).
        try (PersistedMap<byte[], byte[]> persisted = ChronicleFiles.open(ChronicleCounterStore.layout(10),
                dir.resolve(ChronicleCounterStore.MAP_FILE))) {
            ChronicleMap<byte[], byte[]> map = persisted.map();
            byte[] value = map.get(ChronicleCounterStore.mapKey(KEY, 7));
            assertEquals(ChronicleCounterStore.VALUE_BYTES, value.length);
            ByteBuffer words = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < KeyQuota.CELLS; i++) {
                assertEquals(0x0102_0304_0506_0700L + i, words.getLong(8 * i), "cell " + i);
            }
            assertEquals(2, map.size(), "the key and the layout record");
        }
    }

    @Test
    void refusedOpen_leavesTheFileClean() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 5)) {
            store.cellsFor(KEY, 1).getAndAdd(0, 5);
        }
        assertThrows(IOException.class, () -> ChronicleCounterStore.open(dir, 6));
        assertFalse(Files.exists(dir.resolve(ChronicleCounterStore.OPEN_MARKER)));
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 5)) {
            assertFalse(store.recovered());
            assertEquals(5, store.existing(KEY, 1).getVolatile(0));
        }
    }

    @Test
    void leftOverMarker_opensThroughRecovery_andKeepsTheCounters() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            store.cellsFor(KEY, 1).getAndAdd(3, 42);
        }
        // What a killed owner leaves behind (ChronicleCounterCrashTest kills real processes).
        Files.writeString(dir.resolve(ChronicleCounterStore.OPEN_MARKER), "pid 1\n");
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            assertTrue(store.recovered());
            assertEquals(42, store.cellsFor(KEY, 1).getVolatile(3));
            assertEquals(1, store.size());
        }
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            assertFalse(store.recovered(), "the recovered store was closed cleanly");
        }
    }

    @Test
    void sameKeyAndEpoch_sameCells_otherEpochFreshZeroCells() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            CounterCells a = store.cellsFor(KEY, 1);
            a.getAndAdd(5, 9);
            assertSame(a, store.cellsFor(KEY, 1));
            assertSame(a, store.existing(KEY, 1));
            CounterCells next = store.cellsFor(KEY, 2);
            assertEquals(KeyQuota.CELLS, next.size());
            for (int i = 0; i < KeyQuota.CELLS; i++) {
                assertEquals(0, next.getVolatile(i), "cell " + i);
            }
            assertEquals(9, a.getVolatile(5), "the old epoch keeps its counters");
            assertEquals(2, store.size());
            assertTrue(((ChronicleCounterCells) a).address() % 8 == 0);
            assertTrue(((ChronicleCounterCells) next).address() % 8 == 0);
        }
    }

    @Test
    void concurrentFirstCallers_getTheSameMemory() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 1_000)) {
            for (int round = 0; round < 50; round++) {
                String key = "key_race" + round;
                List<Long> addresses = race(t -> {
                    CounterCells cells = store.cellsFor(key, 3);
                    cells.getAndAdd(0, 1);
                    return ((ChronicleCounterCells) cells).address();
                });
                assertEquals(1, addresses.stream().distinct().count(), key);
                assertEquals(THREADS, store.existing(key, 3).getVolatile(0), key);
            }
            assertEquals(50, store.size());
        }
    }

    @Test
    void existing_createsNothing() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            assertNull(store.existing(KEY, 1));
            store.cellsFor(KEY, 1);
            assertNull(store.existing(KEY, 2));
            assertNull(store.existing(OTHER, 1));
            assertEquals(1, store.size());
        }
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            assertEquals(1, store.size());
            assertNull(store.existing(KEY, 2));
            assertNotNull(store.existing(KEY, 1));
        }
    }

    @Test
    void fullStore_refusesTheNextKey_keepsServingTheOthers_evenAfterReopen() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 3)) {
            for (int k = 0; k < 3; k++) {
                store.cellsFor("key_" + k, 1).getAndAdd(0, k + 1);
            }
            CounterStoreFullException full =
                    assertThrows(CounterStoreFullException.class, () -> store.cellsFor("key_3", 1));
            assertTrue(full.getMessage().contains("3 keys"), full.getMessage());
            assertThrows(CounterStoreFullException.class, () -> store.cellsFor("key_0", 2), "a new epoch is a new entry");
            assertEquals(3, store.size());
            assertEquals(2, store.cellsFor("key_1", 1).getAndAdd(0, 1));
            assertNull(store.existing("key_3", 1));
        }
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 3)) {
            assertEquals(3, store.size());
            assertThrows(CounterStoreFullException.class, () -> store.cellsFor("key_3", 1));
            assertEquals(3, store.cellsFor("key_1", 1).getVolatile(0));
        }
    }

    @Test
    void fullStore_underConcurrentCreation_admitsExactlyTheCapacity() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 100)) {
            List<Long> created = race(t -> {
                long ok = 0;
                for (int k = 0; k < 40; k++) {
                    try {
                        store.cellsFor("key_t" + t + "_" + k, 0);
                        ok++;
                    } catch (CounterStoreFullException expected) {
                        // the store is full
                    }
                }
                return ok;
            });
            assertEquals(100, created.stream().mapToLong(Long::longValue).sum());
            assertEquals(100, store.size());
        }
    }

    @Test
    void capacity_canShrinkOnReopenButNotGrow() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 5)) {
            store.cellsFor(KEY, 1);
        }
        IOException grown = assertThrows(IOException.class, () -> ChronicleCounterStore.open(dir, 6));
        assertTrue(grown.getMessage().contains("created for 5 keys"), grown.getMessage());
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 2)) {
            assertEquals(2, store.capacity());
            store.cellsFor(OTHER, 1);
            assertThrows(CounterStoreFullException.class, () -> store.cellsFor(OTHER, 2));
        }
    }

    @Test
    void invalidKeyIds_areRefusedNamingThem() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            String tooLong = KEY + "X";
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.cellsFor(tooLong, 1));
            assertTrue(e.getMessage().contains(tooLong) && e.getMessage().contains("25"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.existing(tooLong, 1));
            assertThrows(IllegalArgumentException.class, () -> store.cellsFor("", 1));
            assertThrows(IllegalArgumentException.class, () -> store.cellsFor("key é", 1));
            assertThrows(IllegalArgumentException.class, () -> store.cellsFor("key\u0000", 1));
            assertThrows(IllegalArgumentException.class, () -> store.cellsFor(null, 1));
            assertEquals(0, store.size());
            store.cellsFor(KEY, 1); // exactly 24 characters
        }
    }

    @Test
    void secondOpenOfOneDirectory_isRefused_andCellsOfAClosedStoreThrow() throws Exception {
        CounterCells cells;
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            IOException e = assertThrows(IOException.class, () -> ChronicleCounterStore.open(dir, 10));
            assertTrue(e.getMessage().contains("already open in this process"), e.getMessage());
            cells = store.cellsFor(KEY, 1);
        }
        assertThrows(IllegalStateException.class, () -> cells.getVolatile(0));
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            CounterCells again = store.cellsFor(KEY, 1);
            assertThrows(IndexOutOfBoundsException.class, () -> again.getAndAdd(KeyQuota.CELLS, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> again.getVolatile(-1));
        }
    }

    @Test
    void getAndAdd_manyThreadsOnOneCell_losesNothing() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            CounterCells cells = store.cellsFor(KEY, 1);
            List<Long> sums = race(t -> {
                long seen = 0;
                for (int i = 0; i < 50_000; i++) {
                    seen += cells.getAndAdd(4, 1) >= 0 ? 1 : 0;
                }
                return seen;
            });
            assertEquals(THREADS * 50_000L, sums.stream().mapToLong(Long::longValue).sum());
            assertEquals(THREADS * 50_000L, cells.getVolatile(4));
        }
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            assertEquals(THREADS * 50_000L, store.cellsFor(KEY, 1).getVolatile(4));
        }
    }

    @Test
    void compareAndSet_incrementsFromManyThreads_areExact() throws Exception {
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            CounterCells cells = store.cellsFor(KEY, 1);
            race(t -> {
                for (int i = 0; i < 20_000; i++) {
                    long v;
                    do {
                        v = cells.getVolatile(65);
                    } while (!cells.compareAndSet(65, v, v + 1));
                }
                return 0L;
            });
            assertEquals(THREADS * 20_000L, cells.getVolatile(65));
            assertFalse(cells.compareAndSet(65, 0, 1), "a CAS from a wrong value fails");
        }
    }

    @Test
    void keyQuota_onChronicleCells_manyThreadsAtOneInstant_admitExactlyTheLimits() throws Exception {
        long now = 1_767_225_600_000L; // 2026-01-01T00:00Z
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            KeyQuota rpm = new KeyQuota(store.cellsFor(KEY, 1), ResetPeriod.DAILY);
            QuotaLimits rpmOnly = new QuotaLimits(1_000, QuotaLimits.NONE, QuotaLimits.NONE, ResetPeriod.DAILY);
            List<Long> admitted = race(t -> {
                long ok = 0;
                for (int i = 0; i < 2_000; i++) {
                    ok += rpm.tryAdmit(now, rpmOnly, 5, 7).admitted() ? 1 : 0;
                }
                return ok;
            });
            assertEquals(1_000, admitted.stream().mapToLong(Long::longValue).sum());
            assertEquals(1_000, rpm.requestsInWindow(now));
            assertEquals(5_000, rpm.tokens(now).reserved(), "the admitted requests' reservations");
            assertEquals(7_000, rpm.cost(now).reserved());

            // Token budget of 10,000 with estimates of 3: exactly 3,333 admissions, nothing left reserved by refusals.
            KeyQuota tokens = new KeyQuota(store.cellsFor(KEY, 2), ResetPeriod.DAILY);
            QuotaLimits tokenOnly = new QuotaLimits(QuotaLimits.NONE, 10_000, QuotaLimits.NONE, ResetPeriod.DAILY);
            List<Long> byTokens = race(t -> {
                long ok = 0;
                for (int i = 0; i < 2_000; i++) {
                    ok += tokens.tryAdmit(now, tokenOnly, 3, 0).admitted() ? 1 : 0;
                }
                return ok;
            });
            assertEquals(3_333, byTokens.stream().mapToLong(Long::longValue).sum());
            assertEquals(9_999, tokens.tokens(now).reserved());
            assertEquals(3_333, tokens.requestsInWindow(now));

            // PeriodBudget.add and RollingWindow directly on the same kind of cells.
            CounterCells cells = store.cellsFor(OTHER, 1);
            PeriodBudget cost = new PeriodBudget(cells, RollingWindow.CELLS, ResetPeriod.MONTHLY);
            race(t -> {
                for (int i = 0; i < 10_000; i++) {
                    cost.add(now, 2);
                }
                return 0L;
            });
            assertEquals(THREADS * 20_000L, cost.snapshot(now).used());
            RollingWindow window = new RollingWindow(cells, 0);
            List<Long> acquired = race(t -> {
                long ok = 0;
                for (int i = 0; i < 1_000; i++) {
                    ok += window.tryAcquire(now + t, 777).admitted() ? 1 : 0;
                }
                return ok;
            });
            assertEquals(777, acquired.stream().mapToLong(Long::longValue).sum());
        }
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, 10)) {
            KeyQuota reopened = new KeyQuota(store.cellsFor(KEY, 1), ResetPeriod.DAILY);
            assertEquals(1_000, reopened.requestsInWindow(now + 1));
            assertEquals(THREADS * 20_000L,
                    new PeriodBudget(store.cellsFor(OTHER, 1), RollingWindow.CELLS, ResetPeriod.MONTHLY).snapshot(now).used());
        }
    }

    private interface ThreadBody {
        long run(int thread) throws Exception;
    }

    /** Runs {@code body} on {@value #THREADS} threads released together; returns each thread's result. */
    private List<Long> race(ThreadBody body) throws Exception {
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<Long>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Callable<Long> task = () -> {
                ready.countDown();
                gate.await();
                return body.run(thread);
            };
            futures.add(pool.submit(task));
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
