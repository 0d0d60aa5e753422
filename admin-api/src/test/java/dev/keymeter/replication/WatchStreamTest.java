package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.util.Timestamps;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Secret;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.WatchEvent;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The life of a Watch stream: heartbeats, flow control, cancellation, shutdown. */
class WatchStreamTest {

    @TempDir
    Path dir;

    @Test
    void watch_idle_sendsHeartbeatsWithTheCurrentRevision_thenChangesWhenTheyCome() throws Exception {
        ReplicationSettings fast = ReplicationSettings.defaults().withHeartbeatInterval(Duration.ofMillis(20));
        try (ReplicationHarness h = new ReplicationHarness(dir, fast)) {
            long current = h.currentRevision();
            WatchRecorder w = h.watch(current);

            for (WatchEvent event : w.next(4)) {
                assertEquals(current, event.getHeartbeat().getRevision());
                assertEquals(h.clock.instant().toEpochMilli(), Timestamps.toMillis(event.getHeartbeat().getTime()));
            }
            String projectKey = h.project("payments").getKey().getId();
            WatchEvent change = w.nextNotHeartbeat();
            WatchEvent after = w.next();

            assertEquals(projectKey, change.getChange().getUpsert().getKeyId());
            assertEquals(h.currentRevision(), change.getChange().getRevision());
            assertEquals(h.currentRevision(), after.getHeartbeat().getRevision());
        }
    }

    @Test
    void watch_sidecarCancels_streamThreadEnds() throws Exception {
        try (ReplicationHarness h = new ReplicationHarness(dir)) {
            WatchRecorder w = h.watch(h.currentRevision());
            w.next();
            assertEquals(1, h.controlPlane.replication().watchService().activeStreams());

            w.cancel();

            awaitTrue(() -> h.controlPlane.replication().watchService().activeStreams() == 0, "stream thread ended");
            awaitTrue(() -> h.controlPlane.replication().notifier().subscriberCount() == 1, "only compaction listens");
        }
    }

    @Test
    void close_controlPlane_endsStreamsWithUnavailable() throws Exception {
        try (ReplicationHarness h = new ReplicationHarness(dir)) {
            WatchRecorder w = h.watch(h.currentRevision());
            w.next();

            h.stopControlPlane();

            assertEquals(Status.Code.UNAVAILABLE, w.awaitEnd().getCode());
            assertEquals(0, h.controlPlane.replication().watchService().activeStreams());
        }
    }

    /**
     * A sidecar that stops reading in the middle of a snapshot stalls only its own stream: the
     * snapshot's detached transaction holds no lock, so admin calls (which authenticate through the
     * store) go on; a key created meanwhile is not in the snapshot (one revision) and arrives after it.
     */
    @Test
    void watch_sidecarStallsInSnapshot_adminCallsGoOnAndTheSnapshotStaysConsistent() throws Exception {
        try (ReplicationHarness h = new ReplicationHarness(dir)) {
            insertKeys(h, 20_000); // ~2.5 MB of records: more than every flow-control window on the way
            h.project("payments");
            WatchRecorder w = h.watch(h.adminToken, 0, true);
            w.request(10);
            WatchEvent begin = w.next();
            w.next(9);

            CreateKeyResponse during = h.serviceKey("payments", "created-during-the-snapshot");
            assertFalse(w.ended());
            w.request(Integer.MAX_VALUE);
            long records = begin.getSnapshotBegin().getRecordCount();
            Set<String> ids = new HashSet<>();
            for (long i = 9; i < records; i++) {
                KeyRecord record = w.next().getSnapshotRecord();
                assertTrue(ids.add(record.getKeyId()), record::getKeyId);
            }
            WatchEvent end = w.next();

            assertEquals(begin.getSnapshotBegin().getRevision(), end.getSnapshotEnd().getRevision());
            assertFalse(ids.contains(during.getKey().getId()));
            assertEquals(during.getKey().getId(), w.nextNotHeartbeat().getChange().getUpsert().getKeyId());
        }
    }

    /** Inserts keys straight into the store, in one transaction: setup, not what is under test. */
    private static void insertKeys(ReplicationHarness h, int n) {
        Instant now = h.clock.instant();
        h.controlPlane.store().write(w -> {
            for (int i = 0; i < n; i++) {
                String id = String.format("key_bulk_%06d", i);
                w.insertKey(new ApiKey(id, "bulk-" + i, KeyKind.PROJECT, OwnerType.SERVICE_ACCOUNT, null, "bulk",
                        KeyStatus.ACTIVE, Permissions.ALL, Limits.NONE, null, false, "test", now, now,
                        w.nextRevision(), List.of(new Secret(TokenFormat.sha256(id), "kms_bulk…" + i, null))));
            }
            return null;
        });
    }

    /** Waits for a condition another thread makes true; fails after 30 s. */
    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 30 s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
