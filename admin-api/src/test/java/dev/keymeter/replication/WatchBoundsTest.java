package dev.keymeter.replication;

import static dev.keymeter.replication.WatchStreamTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Secret;
import dev.keymeter.keys.TokenFormat;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounds of Watch: a cap on the streams served at once, and a sidecar that stops reading is
 * cancelled after {@code --watch-send-timeout} and lets go of the store, so that the SQLite WAL does
 * not grow behind it (it grew from 4 MB to 44 MB in 605 creates, until the disk filled).
 */
class WatchBoundsTest {

    private static final Duration NO_HEARTBEATS = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    @Test
    void watch_overTheCap_refusedWithResourceExhaustedNamingTheSetting() throws Exception {
        ReplicationSettings capTwo = ReplicationSettings.defaults().withHeartbeatInterval(NO_HEARTBEATS)
                .withWatchBounds(2, Duration.ofSeconds(30));
        try (ReplicationHarness h = new ReplicationHarness(dir, capTwo)) {
            WatchRecorder first = h.watch(h.currentRevision());
            WatchRecorder second = h.watch(h.currentRevision());
            first.next();
            second.next();

            Status third = h.watch(h.currentRevision()).awaitEnd();

            assertEquals(Status.Code.RESOURCE_EXHAUSTED, third.getCode());
            assertTrue(third.getDescription().contains("--max-watch-streams"), third::getDescription);
            assertTrue(third.getDescription().contains("2"), third::getDescription);
            WatchService service = h.controlPlane.replication().watchService();
            assertEquals(1, service.refusedStreams());
            assertEquals(2, service.activeStreams());

            first.cancel();
            awaitTrue(() -> service.activeStreams() == 1, "the cancelled stream ended");
            WatchRecorder fourth = h.watch(h.currentRevision());
            assertTrue(fourth.next().hasHeartbeat(), "a stream is served again once one left");
        }
    }

    @Test
    void watch_sidecarNeverReadsItsSnapshot_cancelledAfterTheTimeoutAndTheWalStopsGrowing() throws Exception {
        ReplicationSettings shortTimeout = ReplicationSettings.defaults().withHeartbeatInterval(NO_HEARTBEATS)
                .withWatchBounds(16, Duration.ofMillis(300));
        try (ReplicationHarness h = new ReplicationHarness(dir, shortTimeout)) {
            insertKeys(h, 20_000); // ~2.5 MB of records: more than every flow-control window on the way
            h.project("payments");
            WatchService service = h.controlPlane.replication().watchService();
            WatchRecorder silent = h.watch(h.adminToken, 0, true); // requests nothing, ever
            awaitTrue(() -> service.activeStreams() == 1, "the stream started");
            Path wal = dir.resolve("keymeter.db-wal");

            int created = 0;
            while (service.slowStreamsCancelled() == 0 && created < 600) { // writes go on behind the stream
                assertEquals("k" + created, h.serviceKey("payments", "k" + created).getKey().getName());
                created++;
            }
            awaitTrue(() -> service.slowStreamsCancelled() == 1, "the silent stream was cancelled");
            awaitTrue(() -> service.activeStreams() == 0, "its stream ended");
            long walAtRelease = Files.size(wal);
            for (int i = created; i < 900; i++) { // ~20 MB of WAL if a read still pinned it
                assertEquals("k" + i, h.serviceKey("payments", "k" + i).getKey().getName());
            }

            long grown = Files.size(wal) - walAtRelease;
            assertTrue(grown < 8L << 20, () -> "the WAL grew by " + grown + " bytes after the stream was cancelled");
            assertTrue(silent.buffered() == 0, "the silent client never asked for anything");
        }
    }

    @Test
    void watch_manyIdleStreams_shareAFewThreads() throws Exception {
        ReplicationSettings quiet = ReplicationSettings.defaults().withHeartbeatInterval(NO_HEARTBEATS);
        try (ReplicationHarness h = new ReplicationHarness(dir, quiet)) {
            List<WatchRecorder> sidecars = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sidecars.add(h.watch(h.currentRevision()));
            }
            for (WatchRecorder w : sidecars) {
                assertTrue(w.next().hasHeartbeat());
            }
            String key = h.project("payments").getKey().getId();
            for (WatchRecorder w : sidecars) {
                assertEquals(key, w.nextNotHeartbeat().getChange().getUpsert().getKeyId());
            }

            long watchThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("keymeter-watch-")).count();
            assertEquals(200, h.controlPlane.replication().watchService().activeStreams());
            assertTrue(watchThreads <= WatchService.STEP_THREADS + 1,
                    () -> watchThreads + " threads serve 200 idle streams");
        }
    }

    /** Inserts keys straight into the store, in one transaction: setup, not what is under test. */
    static void insertKeys(ReplicationHarness h, int n) {
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
}
