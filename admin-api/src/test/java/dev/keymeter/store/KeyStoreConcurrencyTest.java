package dev.keymeter.store;

import static dev.keymeter.store.TestKeys.T0;
import static dev.keymeter.store.TestKeys.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.ApiKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many writers on two stores opened on the same data (two control planes sharing one database), and
 * a reader tailing the change log as Watch does: every write lands at a revision of its own, and the
 * tail never sees a revision before every lower one — no change committed late is ever skipped.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class KeyStoreConcurrencyTest {

    @Parameter
    StoreKind kind;

    private static final int WRITERS = 8;
    private static final int KEYS_PER_WRITER = 50;

    @TempDir
    Path dir;

    @Test
    void write_eightThreadsOnTwoStoresBehindAStartGate_everyKeyLandsWithADistinctRevisionInOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2);
        StoreKind.Location location = kind.newLocation(dir);
        try (KeyStore store = location.open(); KeyStore other = location.open()) {
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<List<Long>>> writers = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    gate.await();
                    return insertKeys(thread % 2 == 0 ? store : other, thread);
                }));
            }
            Future<Long> reader = pool.submit(() -> {
                gate.await();
                return readWhileWriting(store);
            });
            Future<Long> tail = pool.submit(() -> {
                gate.await();
                return tailChanges(other);
            });
            gate.countDown();

            List<Long> revisions = new ArrayList<>();
            for (Future<List<Long>> writer : writers) {
                revisions.addAll(writer.get(60, TimeUnit.SECONDS));
            }
            reader.get(60, TimeUnit.SECONDS);
            assertEquals(WRITERS * KEYS_PER_WRITER, tail.get(60, TimeUnit.SECONDS));

            int total = WRITERS * KEYS_PER_WRITER;
            assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), revisions.stream().sorted().toList());
            assertEquals(total, store.read(StoreReader::currentRevision));
            assertEquals(total, store.read(StoreReader::allKeys).size());
            List<KeyChange> changes = store.read(r -> r.changesAfter(0, total + 1));
            assertEquals(LongStream.rangeClosed(1, total).boxed().toList(),
                    changes.stream().map(KeyChange::revision).toList());
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Long> insertKeys(KeyStore store, int thread) {
        List<Long> revisions = new ArrayList<>();
        for (int i = 0; i < KEYS_PER_WRITER; i++) {
            ApiKey key = TestKeys.insert(store, key("key_t" + thread + "_" + i).createdAt(T0.plusMillis(i)));
            revisions.add(key.revision());
        }
        return revisions;
    }

    /**
     * Follows the change log as Watch does, from revision 0, until it has seen every write: each read
     * must continue exactly where the last one stopped (a gap means a lower revision committed after a
     * higher one was visible, and Watch would have skipped it).
     */
    private static long tailChanges(KeyStore store) {
        long cursor = 0;
        while (cursor < WRITERS * KEYS_PER_WRITER && !Thread.currentThread().isInterrupted()) {
            long from = cursor;
            List<KeyChange> changes = store.read(r -> r.changesAfter(from, 1_000));
            for (KeyChange change : changes) {
                assertEquals(cursor + 1, change.revision(), "the tail skipped from revision " + cursor);
                cursor = change.revision();
            }
        }
        return cursor;
    }

    /** Reads must see whole transactions: the newest change's key is always present. */
    private static long readWhileWriting(KeyStore store) {
        long last = 0;
        while (last < WRITERS * KEYS_PER_WRITER && !Thread.currentThread().isInterrupted()) {
            long seen = store.read(r -> {
                long current = r.currentRevision();
                if (current > 0) {
                    List<KeyChange> latest = r.changesAfter(current - 1, 1);
                    assertTrue(r.findKey(latest.get(0).keyId()).isPresent());
                }
                return current;
            });
            assertTrue(seen >= last, "revision went back from " + last + " to " + seen);
            last = seen;
        }
        return last;
    }
}
