package dev.keymeter.replica;

import static dev.keymeter.replica.KeyRecordFixtures.digest;
import static dev.keymeter.replica.KeyRecordFixtures.key;
import static dev.keymeter.replica.KeyRecordFixtures.keyId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** The hot-entry cache never serves an entry older than a write that completed before the lookup began. */
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

    private static void await(CountDownLatch gate) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
