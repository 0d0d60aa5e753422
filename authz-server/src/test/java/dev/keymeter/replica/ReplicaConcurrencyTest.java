package dev.keymeter.replica;

import static dev.keymeter.replica.KeyRecordFixtures.digest;
import static dev.keymeter.replica.KeyRecordFixtures.key;
import static dev.keymeter.replica.KeyRecordFixtures.keyId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.Limits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claim of {@link ChronicleKeyReplica}'s class comment: while one thread upserts, readers
 * see each entry whole, old or new, never a mix, and never a gap.
 *
 * <p>Every upsert of key {@code k} at revision {@code r} writes {@code r} into the revision, the
 * three limits and the key expiry, and {@code "p-" + r} as the project: a reader that sees two of
 * those disagree has seen a torn record. Each key's digest stays the same, so a lookup that misses
 * has seen the entry disappear in the middle of an update. A reader also never sees a key's
 * revision go back: each put is atomic and the one writer puts revisions in order.
 */
class ReplicaConcurrencyTest {

    private static final int READERS = 4;
    private static final int KEYS = 8;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(2);

    @TempDir Path dir;

    @Test
    void lookup_duringUpserts_neverSeesATornMissingOrOlderEntry() throws Exception {
        byte[][] digests = new byte[KEYS][];
        // Capacity 100 puts every key in one segment: all threads contend on one lock, the worst case.
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, 100)) {
            for (int k = 0; k < KEYS; k++) {
                digests[k] = digest("token-" + k);
                replica.upsert(record(k, k + 1, digests[k]));
            }
            ExecutorService threads = Executors.newFixedThreadPool(READERS + 1);
            try {
                CountDownLatch gate = new CountDownLatch(1);
                AtomicBoolean stop = new AtomicBoolean();
                Future<Long> writes = threads.submit(() -> write(replica, digests, gate, stop));
                List<Future<long[]>> reads = new ArrayList<>();
                for (int i = 0; i < READERS; i++) {
                    reads.add(threads.submit(() -> read(replica, digests, gate, stop)));
                }
                gate.countDown();
                long upserts = writes.get(30, TimeUnit.SECONDS);
                long lookups = 0;
                for (Future<long[]> read : reads) {
                    long[] outcome = read.get(30, TimeUnit.SECONDS);
                    assertEquals(0, outcome[1], "torn entries seen");
                    assertEquals(0, outcome[2], "lookups that missed a live digest");
                    assertEquals(0, outcome[3], "revisions that went back");
                    lookups += outcome[0];
                }
                // Low bars on purpose: on a loaded 2-core machine the five threads share two cores,
                // and four readers spinning on one segment's lock leave the writer little room.
                assertTrue(upserts >= 20, "the writer made progress: " + upserts);
                assertTrue(lookups >= 1_000, "the readers made progress: " + lookups);
            } finally {
                threads.shutdownNow();
            }
        }
    }

    /** Upserts the keys round-robin with rising revisions until the time is up. */
    private static long write(ChronicleKeyReplica replica, byte[][] digests, CountDownLatch gate, AtomicBoolean stop)
            throws InterruptedException {
        gate.await();
        long deadline = System.nanoTime() + RUN_NANOS;
        long revision = KEYS;
        while (System.nanoTime() < deadline) {
            revision++;
            int k = (int) (revision % KEYS);
            replica.upsert(record(k, revision, digests[k]));
        }
        stop.set(true);
        return revision - KEYS;
    }

    /** Returns {lookups, torn, missing, backwards}. */
    private static long[] read(ChronicleKeyReplica replica, byte[][] digests, CountDownLatch gate, AtomicBoolean stop)
            throws InterruptedException {
        ReplicaEntry entry = new ReplicaEntry();
        long[] lastSeen = new long[KEYS];
        long[] outcome = new long[4];
        gate.await();
        for (int i = 0; !stop.get(); i++) {
            int k = i % KEYS;
            outcome[0]++;
            if (!replica.lookup(digests[k], entry)) {
                outcome[2]++;
                continue;
            }
            long r = entry.revision;
            boolean whole = entry.costLimitMicroUsd == r && entry.tokenLimit == r && entry.requestsPerMinute == r
                    && entry.keyExpiresAtMillis == r && entry.projectId.equals("p-" + r)
                    && entry.keyId.equals(keyId(k));
            outcome[1] += whole ? 0 : 1;
            outcome[3] += r < lastSeen[k] ? 1 : 0;
            lastSeen[k] = r;
        }
        return outcome;
    }

    private static dev.keymeter.proto.replication.v1.KeyRecord record(int k, long revision, byte[] digest) {
        return key(keyId(k), revision, digest)
                .setProjectId("p-" + revision)
                .setLimits(Limits.newBuilder().setCostLimitMicroUsd(revision).setTokenLimit(revision)
                        .setRequestsPerMinute(revision))
                .setExpireTime(KeyRecordFixtures.timestamp(revision))
                .build();
    }
}
