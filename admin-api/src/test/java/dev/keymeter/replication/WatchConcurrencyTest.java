package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import dev.keymeter.proto.replication.v1.Change;
import dev.keymeter.proto.replication.v1.WatchEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin calls on many threads, behind a start gate, commit while a stream parks and wakes: the
 * stream delivers every key's final state, in strictly increasing revisions, and its events reach
 * the last revision. Heartbeats (which would also catch up) are 10 minutes apart here, so if the
 * wake-up of the last commits were lost (WatchCall sets its flag and re-checks it under one lock so
 * that it is not) their changes would never arrive and the test would fail.
 *
 * <p>Under load the stream reads several commits in one batch; when the last one revoked a key
 * created in the same batch, the key went out once at its creation and no event named the last
 * revision, so this test waited in vain (see
 * {@code WatchServiceTest.watch_keyCreatedAndRevokedInOneBatch_sentOnceRevokedThenTheBatchReachesTheCurrentRevision}).
 */
class WatchConcurrencyTest {

    private static final int THREADS = 8;
    private static final int KEYS_PER_THREAD = 15;

    @TempDir
    Path dir;

    @Test
    void watch_commitsFromManyThreads_deliversEveryKeysFinalStateInRevisionOrder() throws Exception {
        try (ReplicationHarness h = new ReplicationHarness(dir)) {
            h.project("load");
            WatchRecorder w = h.watch(h.currentRevision());
            w.next(); // the up-to-date heartbeat: the stream is parked
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<List<String>>> revokedPerThread = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                revokedPerThread.add(pool.submit(() -> {
                    gate.await();
                    List<String> revoked = new ArrayList<>();
                    for (int i = 0; i < KEYS_PER_THREAD; i++) {
                        CreateKeyResponse key = h.serviceKey("load", "t" + thread + "-k" + i);
                        if (i % 2 == 0) {
                            h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(key.getKey().getId()).build());
                            revoked.add(key.getKey().getId());
                        }
                    }
                    return revoked;
                }));
            }
            gate.countDown();
            List<String> revoked = new ArrayList<>();
            for (Future<List<String>> f : revokedPerThread) {
                revoked.addAll(f.get(60, TimeUnit.SECONDS));
            }
            pool.shutdown();
            long last = h.currentRevision();

            Map<String, KeyStatus> finalStatus = new HashMap<>();
            long previous = 0;
            while (previous < last) {
                WatchEvent event = w.nextNotHeartbeat();
                Change change = event.getChange();
                assertTrue(change.getRevision() > previous, () -> "out of order: " + change.getRevision());
                previous = change.getRevision();
                if (change.hasUpsert()) {
                    finalStatus.put(change.getUpsert().getKeyId(), change.getUpsert().getStatus());
                }
            }

            assertEquals(THREADS * KEYS_PER_THREAD, finalStatus.size());
            assertEquals(revoked.size(), finalStatus.values().stream().filter(s -> s == KeyStatus.KEY_STATUS_REVOKED).count());
            revoked.forEach(id -> assertEquals(KeyStatus.KEY_STATUS_REVOKED, finalStatus.get(id), id));
        }
    }
}
