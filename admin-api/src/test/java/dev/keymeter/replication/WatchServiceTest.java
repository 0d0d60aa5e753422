package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.proto.admin.v1.AddMemberRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.DeleteKeyRequest;
import dev.keymeter.proto.admin.v1.DisableKeyRequest;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import dev.keymeter.proto.admin.v1.RotateKeyRequest;
import dev.keymeter.proto.replication.v1.Change;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.WatchEvent;
import dev.keymeter.store.SqliteKeyStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Watch against a real control plane: what a sidecar sees for each starting point and each change. */
class WatchServiceTest {

    @TempDir
    Path dir;
    ReplicationHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new ReplicationHarness(dir);
        h.project("payments");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void watch_newSidecar_getsSnapshotThenLiveChangesInRevisionOrder() {
        CreateKeyResponse a = h.serviceKey("payments", "a");
        long revision = h.currentRevision();
        long count = h.keyCount();

        WatchRecorder w = h.watch(0);
        WatchEvent begin = w.next();
        List<KeyRecord> records = w.next((int) count).stream().map(WatchEvent::getSnapshotRecord).toList();
        WatchEvent end = w.next();

        assertEquals(revision, begin.getSnapshotBegin().getRevision());
        assertEquals(count, begin.getSnapshotBegin().getRecordCount());
        assertEquals(revision, end.getSnapshotEnd().getRevision());
        KeyRecord recordOfA = only(records, a.getKey().getId());
        assertArrayEquals(TokenFormat.sha256(a.getToken()), recordOfA.getSecrets(0).getSha256().toByteArray());
        assertEquals(KeyStatus.KEY_STATUS_ACTIVE, recordOfA.getStatus());
        assertEquals("payments", recordOfA.getProjectId());

        h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(a.getKey().getId()).build());
        CreateKeyResponse b = h.serviceKey("payments", "b");

        Change revoked = w.nextNotHeartbeat().getChange();
        Change created = w.nextNotHeartbeat().getChange();
        assertEquals(revision + 1, revoked.getRevision());
        assertEquals(KeyStatus.KEY_STATUS_REVOKED, revoked.getUpsert().getStatus());
        assertEquals(revision + 2, created.getRevision());
        assertEquals(b.getKey().getId(), created.getUpsert().getKeyId());
    }

    @Test
    void watch_recentAppliedRevision_getsOnlyLaterChangesWithoutSnapshot() {
        CreateKeyResponse a = h.serviceKey("payments", "a");
        long applied = h.currentRevision();
        CreateKeyResponse b = h.serviceKey("payments", "b");
        h.admin().disableKey(DisableKeyRequest.newBuilder().setKeyId(a.getKey().getId()).build());

        WatchRecorder w = h.watch(applied);

        Change first = w.next().getChange();
        Change second = w.next().getChange();
        assertEquals(applied + 1, first.getRevision());
        assertEquals(b.getKey().getId(), first.getUpsert().getKeyId());
        assertEquals(applied + 2, second.getRevision());
        assertEquals(KeyStatus.KEY_STATUS_DISABLED, second.getUpsert().getStatus());
    }

    @Test
    void watch_upToDateSidecar_getsAHeartbeatAtOnce() {
        long current = h.currentRevision();

        WatchEvent first = h.watch(current).next();

        assertEquals(current, first.getHeartbeat().getRevision());
        assertEquals(h.clock.instant().toEpochMilli(), Timestamps.toMillis(first.getHeartbeat().getTime()));
    }

    @Test
    void watch_cursorBelowCompactedFloor_getsSnapshot() {
        h.serviceKey("payments", "a");
        h.serviceKey("payments", "b");
        long current = h.currentRevision();
        ((SqliteKeyStore) h.controlPlane.store()).compactChangesThrough(current - 1);

        WatchEvent first = h.watch(current - 2).next();

        assertEquals(current, first.getSnapshotBegin().getRevision());
    }

    @Test
    void watch_cursorFromTheFuture_getsSnapshot() {
        long current = h.currentRevision();

        WatchEvent first = h.watch(current + 1_000).next();

        assertEquals(current, first.getSnapshotBegin().getRevision());
        assertEquals(h.keyCount(), first.getSnapshotBegin().getRecordCount());
    }

    @Test
    void watch_rotatedKey_carriesBothSecretsAndTheGraceExpiry() {
        CreateKeyResponse a = h.serviceKey("payments", "a");
        WatchRecorder w = h.watch(h.currentRevision());
        w.next(); // heartbeat: up to date

        CreateKeyResponse rotated = h.admin().rotateKey(RotateKeyRequest.newBuilder().setKeyId(a.getKey().getId())
                .setGracePeriod(Durations.fromSeconds(3600)).build());

        KeyRecord record = w.nextNotHeartbeat().getChange().getUpsert();
        assertEquals(2, record.getSecretsCount());
        assertArrayEquals(TokenFormat.sha256(rotated.getToken()), record.getSecrets(0).getSha256().toByteArray());
        assertFalse(record.getSecrets(0).hasExpireTime());
        assertArrayEquals(TokenFormat.sha256(a.getToken()), record.getSecrets(1).getSha256().toByteArray());
        assertEquals(h.clock.instant().plus(Duration.ofHours(1)).toEpochMilli(),
                Timestamps.toMillis(record.getSecrets(1).getExpireTime()));
    }

    @Test
    void watch_snapshotAfterGraceEnded_sendsOnlyTheCurrentSecret() {
        CreateKeyResponse a = h.serviceKey("payments", "a");
        CreateKeyResponse rotated = h.admin().rotateKey(RotateKeyRequest.newBuilder().setKeyId(a.getKey().getId())
                .setGracePeriod(Durations.fromSeconds(60)).build());
        h.clock.advance(Duration.ofSeconds(60));
        long count = h.keyCount();

        WatchRecorder w = h.watch(0);
        w.next();
        List<KeyRecord> records = w.next((int) count).stream().map(WatchEvent::getSnapshotRecord).toList();

        KeyRecord record = only(records, a.getKey().getId());
        assertEquals(1, record.getSecretsCount());
        assertArrayEquals(TokenFormat.sha256(rotated.getToken()), record.getSecrets(0).getSha256().toByteArray());
    }

    @Test
    void watch_revokedThenDeletedKey_arrivesAsRevokedWithItsSecretThenAsDeletion() {
        CreateKeyResponse a = h.serviceKey("payments", "a");
        WatchRecorder w = h.watch(h.currentRevision());
        w.next();

        h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(a.getKey().getId()).build());
        KeyRecord revoked = w.nextNotHeartbeat().getChange().getUpsert();
        h.admin().deleteKey(DeleteKeyRequest.newBuilder().setKeyId(a.getKey().getId()).build());
        Change deleted = w.nextNotHeartbeat().getChange();

        assertEquals(KeyStatus.KEY_STATUS_REVOKED, revoked.getStatus());
        assertArrayEquals(TokenFormat.sha256(a.getToken()), revoked.getSecrets(0).getSha256().toByteArray());
        assertEquals(a.getKey().getId(), deleted.getDeletedKeyId());
        assertEquals(h.currentRevision(), deleted.getRevision());
    }

    /**
     * The interleaving behind a Watch that looked silent under load: a key created and revoked in
     * one batch (both commits land before the stream reads) is sent once, at its creation's revision,
     * with its current (revoked) state. The batch must still bring the sidecar to the revoke's
     * revision; before the fix its last event stopped at the creation, and the sidecar's applied
     * revision stayed behind until the next heartbeat.
     */
    @Test
    void watch_keyCreatedAndRevokedInOneBatch_sentOnceRevokedThenTheBatchReachesTheCurrentRevision() {
        long applied = h.currentRevision();
        CreateKeyResponse a = h.serviceKey("payments", "a");
        h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(a.getKey().getId()).build());

        WatchRecorder w = h.watch(applied);
        Change first = w.next().getChange();
        Change second = w.next().getChange();

        assertEquals(applied + 1, first.getRevision());
        assertEquals(KeyStatus.KEY_STATUS_REVOKED, first.getUpsert().getStatus());
        assertTrue(second.getNoKeyChange());
        assertEquals(applied + 2, second.getRevision());
        assertEquals(h.currentRevision(), second.getRevision());
    }

    @Test
    void watch_membershipChange_advancesTheRevisionWithNoKeyChange() {
        WatchRecorder w = h.watch(h.currentRevision());
        w.next();

        h.admin().addMember(AddMemberRequest.newBuilder().setUser("ada@example.com").build());

        Change change = w.nextNotHeartbeat().getChange();
        assertTrue(change.getNoKeyChange());
        assertEquals(h.currentRevision(), change.getRevision());
    }

    @Test
    void forLog_clientSuppliedSidecarId_keepsOnlyPlainCharacters() {
        assertEquals("sidecar-1.eu_west:9", WatchService.forLog("sidecar-1.eu_west:9"));
        assertEquals("a_b_c_", WatchService.forLog("a\nb c\u001b"));
        assertEquals("-", WatchService.forLog(""));
    }

    static KeyRecord only(List<KeyRecord> records, String keyId) {
        List<KeyRecord> matching = records.stream().filter(r -> r.getKeyId().equals(keyId)).toList();
        assertEquals(1, matching.size(), () -> "records of " + keyId + ": " + matching);
        return matching.get(0);
    }
}
