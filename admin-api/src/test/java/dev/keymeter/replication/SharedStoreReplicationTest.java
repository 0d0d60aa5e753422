package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import dev.keymeter.proto.replication.v1.Change;
import dev.keymeter.proto.replication.v1.WatchEvent;
import dev.keymeter.store.PostgresServer;
import dev.keymeter.store.StoreSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control planes on one real PostgreSQL database: a change made through either reaches the Watch
 * streams of both (the other hears it through NOTIFY, or its poll), and writes made through both at
 * once arrive in revision order with none missing.
 */
class SharedStoreReplicationTest {

    /** Creates through each control plane in the concurrent test. */
    private static final int CREATES_EACH = 1_000;

    @TempDir
    Path dir;

    private static final ReplicationSettings SETTINGS =
            ReplicationSettings.defaults().withHeartbeatInterval(Duration.ofMinutes(10));

    private static StoreSpec newStore() {
        return new StoreSpec(null, PostgresServer.shared().createDatabase(), null, null);
    }

    @Test
    void changesMadeOnOneControlPlane_reachAWatchStreamOfTheOther() throws Exception {
        StoreSpec store = newStore();
        try (ReplicationHarness a = new ReplicationHarness(dir.resolve("a"), SETTINGS, store, null);
                ReplicationHarness b = new ReplicationHarness(dir.resolve("b"), SETTINGS, store, a.adminToken)) {
            assertTrue(b.controlPlane.bootstrapKey().isEmpty(), "the store was bootstrapped once, by a");
            WatchRecorder onB = b.watch(b.currentRevision());

            a.project("payments");
            CreateKeyResponse key = a.serviceKey("payments", "svc");
            String id = key.getKey().getId();
            Change created = await(onB, c -> c.hasUpsert() && c.getUpsert().getKeyId().equals(id));
            assertEquals(KeyStatus.KEY_STATUS_ACTIVE, created.getUpsert().getStatus());

            WatchRecorder onA = a.watch(a.currentRevision());
            b.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(id).build());
            Predicate<Change> revoked = c -> c.hasUpsert() && c.getUpsert().getKeyId().equals(id)
                    && c.getUpsert().getStatus() == KeyStatus.KEY_STATUS_REVOKED;
            await(onB, revoked);
            await(onA, revoked);
        }
    }

    @Test
    void concurrentCreatesThroughBoth_arriveAtAWatchOfEachInRevisionOrder_noneMissing() throws Exception {
        StoreSpec store = newStore();
        try (ReplicationHarness a = new ReplicationHarness(dir.resolve("a"), SETTINGS, store, null);
                ReplicationHarness b = new ReplicationHarness(dir.resolve("b"), SETTINGS, store, a.adminToken)) {
            a.project("payments");
            long from = a.currentRevision();
            WatchRecorder onA = a.watch(from);
            WatchRecorder onB = b.watch(from);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            Set<String> created = new HashSet<>();
            try {
                List<Future<List<String>>> writers = new ArrayList<>();
                for (ReplicationHarness via : List.of(a, b)) {
                    String prefix = via == a ? "a-" : "b-";
                    writers.add(pool.submit(() -> {
                        List<String> ids = new ArrayList<>();
                        for (int i = 0; i < CREATES_EACH; i++) {
                            ids.add(via.serviceKey("payments", prefix + i).getKey().getId());
                        }
                        return ids;
                    }));
                }
                for (Future<List<String>> w : writers) {
                    created.addAll(w.get(120, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            long last = a.currentRevision();
            assertEquals(2 * CREATES_EACH, created.size());
            for (WatchRecorder watch : List.of(onA, onB)) {
                Set<String> seen = new HashSet<>();
                long revision = from;
                while (revision < last) {
                    WatchEvent e = watch.next();
                    if (!e.hasChange()) {
                        continue;
                    }
                    Change c = e.getChange();
                    assertTrue(c.getRevision() > revision, "revision " + c.getRevision() + " after " + revision);
                    revision = c.getRevision();
                    if (c.hasUpsert()) {
                        seen.add(c.getUpsert().getKeyId());
                    }
                }
                assertEquals(last, revision);
                assertEquals(created, seen, "every key created through either control plane, none missing");
            }
            System.out.printf("two control planes on PostgreSQL: %d creates through each, revisions %d..%d seen"
                    + " in order by a Watch on each%n", CREATES_EACH, from + 1, last);
        }
    }

    /** The first change that matches, skipping others; fails after the recorder's 30 s without events. */
    private static Change await(WatchRecorder watch, Predicate<Change> wanted) {
        while (true) {
            WatchEvent e = watch.next();
            if (e.hasChange() && wanted.test(e.getChange())) {
                return e.getChange();
            }
        }
    }
}
