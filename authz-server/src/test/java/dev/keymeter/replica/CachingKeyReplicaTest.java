package dev.keymeter.replica;

import static dev.keymeter.replica.KeyRecordFixtures.digest;
import static dev.keymeter.replica.KeyRecordFixtures.key;
import static dev.keymeter.replica.KeyRecordFixtures.keyId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.KeyStatus;
import dev.keymeter.chronicle.ChronicleFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot-entry cache answers with the key's own entry, however many keys compete for its slots, and
 * never serves an entry older than a write that completed before the lookup began.
 */
class CachingKeyReplicaTest {

    @TempDir
    Path dir;
    ChronicleKeyReplica chronicle;
    CachingKeyReplica replica;
    final byte[] digest = digest("kms_cached-token");

    @BeforeAll
    static void quiet() {
        ChronicleFiles.disableAnalytics();
    }

    @BeforeEach
    void open() throws Exception {
        chronicle = ChronicleKeyReplica.open(dir, 1000);
        replica = new CachingKeyReplica(chronicle, 16);
        replica.beginSnapshot(1);
        replica.upsert(key(keyId(1), 1, digest).build());
        replica.endSnapshot(1);
    }

    @AfterEach
    void close() {
        replica.close();
    }

    @Test
    void lookup_afterRevoke_seesTheRevocationAtOnce() {
        ReplicaEntry e = new ReplicaEntry();
        assertTrue(replica.lookup(digest, e));
        assertTrue(replica.lookup(digest, e));
        assertEquals(KeyStatus.ACTIVE, e.status);
        replica.upsert(key(keyId(1), 2, digest).setStatus(dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_REVOKED).build());
        assertTrue(replica.lookup(digest, e));
        assertEquals(KeyStatus.REVOKED, e.status);
        replica.delete(keyId(1));
        assertFalse(replica.lookup(digest, e));
    }

    @Test
    void lookup_unknownDigest_isNotCachedAndNotFound() {
        ReplicaEntry e = new ReplicaEntry();
        assertFalse(replica.lookup(digest("kms_unknown"), e));
        assertFalse(replica.lookup(digest("kms_unknown"), e));
    }

    /** 200 keys through 16 slots (2 sets of 8 ways): evictions everywhere, never a wrong entry. */
    @Test
    void lookup_manyMoreKeysThanSlots_alwaysAnswersWithTheKeysOwnEntry() {
        int keys = 200;
        replica.beginSnapshot(2);
        for (int i = 0; i < keys; i++) {
            replica.upsert(key(keyId(i), 2, digest("kms_many-" + i)).build());
        }
        replica.endSnapshot(2);
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        ReplicaEntry e = new ReplicaEntry();
        for (int n = 0; n < 5_000; n++) {
            int i = random.nextInt(10) < 7 ? random.nextInt(8) : random.nextInt(keys); // a few hot keys
            assertTrue(replica.lookup(digest("kms_many-" + i), e), "key " + i);
            assertEquals(keyId(i), e.keyId);
        }
    }

    @Test
    void lookup_oneCachedCopy_sharesOneMemo_untilAWriteRetiresIt() {
        ReplicaEntry first = new ReplicaEntry();
        ReplicaEntry second = new ReplicaEntry();
        assertTrue(replica.lookup(digest, first));
        assertTrue(replica.lookup(digest, second));
        assertNotNull(first.memo);
        assertSame(first.memo, second.memo);
        Object context = new Object();
        assertTrue(second.memo.claim(context, "derived"));
        second.memo.note(1_234);
        assertEquals("derived", first.memo.valueFor(context));
        assertEquals(1_234, first.memo.noted());
        assertNull(first.memo.valueFor(new Object()), "a value is served only for the context it was claimed under");
        assertFalse(first.memo.claim(new Object(), "other"), "the first claim keeps the memo");
        assertEquals("derived", first.memo.valueFor(context));

        replica.upsert(key(keyId(2), 2, digest("kms_other-token")).build()); // any write retires every copy
        ReplicaEntry after = new ReplicaEntry();
        assertTrue(replica.lookup(digest, after));
        assertNotSame(first.memo, after.memo);
        assertNull(after.memo.valueFor(context));
        assertEquals(0, after.memo.noted());

        replica.dropCachedCopies(); // so does dropping the cached copies
        ReplicaEntry dropped = new ReplicaEntry();
        assertTrue(replica.lookup(digest, dropped));
        assertNotSame(after.memo, dropped.memo);

        ReplicaEntry direct = new ReplicaEntry();
        direct.memo = after.memo;
        assertTrue(chronicle.lookup(digest, direct));
        assertNull(direct.memo, "an entry read from the store itself carries no memo");
    }

    /**
     * A hit hints the value claimed in its memo (read beside the slot), from the first lookup after the
     * claim until a write retires the copy; a fill, a fresh copy and the store itself hint nothing.
     */
    @Test
    void lookup_hintsTheValueClaimedInItsMemo_untilTheCopyIsRetired() {
        ReplicaEntry filled = new ReplicaEntry();
        filled.memoHint = "left over from an earlier request";
        assertTrue(replica.lookup(digest, filled));
        assertNull(filled.memoHint, "a fill hints nothing");
        ReplicaEntry hit = new ReplicaEntry();
        assertTrue(replica.lookup(digest, hit));
        assertNull(hit.memoHint, "nothing claimed yet");

        Object context = new Object();
        String value = "derived";
        assertTrue(hit.memo.claim(context, value));
        ReplicaEntry after = new ReplicaEntry();
        assertTrue(replica.lookup(digest, after));
        assertSame(value, after.memoHint);
        assertSame(value, after.memo.valueFor(context));

        replica.upsert(key(keyId(2), 2, digest("kms_other-token")).build());
        ReplicaEntry refilled = new ReplicaEntry();
        assertTrue(replica.lookup(digest, refilled));
        assertTrue(replica.lookup(digest, refilled));
        assertNull(refilled.memoHint, "a write retires the copy and its hint");

        ReplicaEntry direct = new ReplicaEntry();
        direct.memoHint = value;
        assertTrue(chronicle.lookup(digest, direct));
        assertNull(direct.memoHint, "an entry read from the store itself carries no hint");
    }

    /**
     * A claim made through a copy that a write has retired, after another key's copy took its way, must
     * not leave its value beside that key's slot (one set of eight ways, so the two share a set; a
     * retired way is the first to be refilled).
     */
    @Test
    void claim_throughARetiredCopy_leavesNoHintBesideTheSlotThatReplacedIt() {
        CachingKeyReplica oneSet = new CachingKeyReplica(chronicle, 8);
        byte[] other = digest("kms_other-token");
        oneSet.upsert(key(keyId(2), 2, other).build());
        ReplicaEntry mine = new ReplicaEntry();
        assertTrue(oneSet.lookup(digest, mine));
        oneSet.dropCachedCopies(); // retires every copy; the next fill takes the first way again
        ReplicaEntry theirs = new ReplicaEntry();
        assertTrue(oneSet.lookup(other, theirs));
        assertEquals(keyId(2), theirs.keyId);

        assertTrue(mine.memo.claim(new Object(), "derived for key 1"), "the retired copy's own memo takes it");
        assertTrue(oneSet.lookup(other, theirs));
        assertNull(theirs.memoHint, "key 2's slot hints nothing of key 1's");
    }

    @Test
    void constructor_slotsNotAPowerOfTwoOrFewerThanOneSet_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CachingKeyReplica(chronicle, 12));
        assertEquals("slots must be a power of two of at least 8, was 12", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CachingKeyReplica(chronicle, 4));
    }

    @Test
    void concurrentReaders_neverSeeARevisionOlderThanACompletedWrite() throws Exception {
        AtomicLong completed = new AtomicLong(1);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> violation = new AtomicReference<>();
        CountDownLatch gate = new CountDownLatch(1);
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread reader = new Thread(() -> {
                ReplicaEntry e = new ReplicaEntry();
                await(gate);
                while (!stop.get() && violation.get() == null) {
                    long before = completed.get();
                    if (!replica.lookup(digest, e)) {
                        violation.set("lost the key at revision " + before);
                    } else if (e.revision < before) {
                        violation.set("saw revision " + e.revision + " after revision " + before + " completed");
                    }
                }
            });
            reader.start();
            readers.add(reader);
        }
        gate.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        long revision = 1;
        while (System.nanoTime() < deadline && violation.get() == null) {
            revision++;
            replica.upsert(key(keyId(1), revision, digest).build());
            completed.set(revision);
        }
        stop.set(true);
        for (Thread reader : readers) {
            reader.join();
        }
        assertEquals(null, violation.get());
        // A low bar on purpose: readers spinning on one Chronicle segment leave the writer little room.
        assertTrue(revision > 20, "the writer made progress: " + revision);
    }

    /**
     * Threads racing to claim one memo under different contexts: exactly one wins, and no reader ever
     * gets a value under a context it was not claimed under (each value names its context).
     */
    @Test
    void memoClaim_racingContexts_oneWinsAndNoValueIsServedUnderAnotherContext() throws Exception {
        for (int round = 0; round < 200; round++) {
            replica.dropCachedCopies(); // a fresh memo each round
            ReplicaEntry holder = new ReplicaEntry();
            assertTrue(replica.lookup(digest, holder));
            EntryMemo memo = holder.memo;
            Object[] contexts = {new Object(), new Object(), new Object()};
            AtomicLong wins = new AtomicLong();
            AtomicReference<String> violation = new AtomicReference<>();
            CountDownLatch gate = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < contexts.length; t++) {
                Object mine = contexts[t];
                String value = "value of context " + t;
                Thread thread = new Thread(() -> {
                    await(gate);
                    for (int i = 0; i < 100; i++) {
                        Object seen = memo.valueFor(mine);
                        if (seen != null && seen != value) {
                            violation.set("context got " + seen + " instead of " + value);
                        }
                        if (i == 50 && memo.claim(mine, value)) {
                            wins.incrementAndGet();
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            gate.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            assertNull(violation.get());
            assertEquals(1, wins.get(), "exactly one claim wins, round " + round);
        }
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
