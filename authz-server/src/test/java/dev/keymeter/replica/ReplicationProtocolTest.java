package dev.keymeter.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.replication.v1.Change;
import dev.keymeter.proto.replication.v1.Heartbeat;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.SecretDigest;
import dev.keymeter.proto.replication.v1.SnapshotBegin;
import dev.keymeter.proto.replication.v1.SnapshotEnd;
import dev.keymeter.proto.replication.v1.WatchEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the client does with each Watch event, against a real Chronicle replica: a snapshot counts
 * only when it is whole, the applied revision moves only over applied changes, and a record the
 * replica refuses costs that key, not the stream.
 */
class ReplicationProtocolTest {

    @TempDir
    Path dir;
    KeyReplica replica;
    final List<String> refused = new ArrayList<>();
    WatchEventApplier applier;

    @BeforeEach
    void open() throws IOException {
        replica = ChronicleKeyReplica.open(dir, 100);
        applier = new WatchEventApplier(replica, (keyId, why) -> refused.add(keyId));
    }

    @AfterEach
    void close() {
        replica.close();
    }

    @Test
    void apply_snapshotCutShort_leavesANeverLoadedReplicaUnloaded() {
        applier.apply(begin(7, 3));
        applier.apply(record("key_a", 5));
        applier.apply(record("key_b", 6));

        assertFalse(replica.isLoaded());
        assertEquals(0, replica.appliedRevision());

        WatchEventApplier next = new WatchEventApplier(replica, (keyId, why) -> refused.add(keyId));
        next.apply(begin(8, 1));
        next.apply(record("key_c", 8));
        next.apply(end(8));
        assertTrue(replica.isLoaded());
        assertEquals(8, replica.appliedRevision());
        assertEquals(1, replica.keyCount(), "keys of the unfinished snapshot are swept");
    }

    @Test
    void apply_snapshotEndingWithTooFewRecords_isAProtocolErrorAndDoesNotLoad() {
        applier.apply(begin(7, 2));
        applier.apply(record("key_a", 5));

        assertThrows(IllegalStateException.class, () -> applier.apply(end(7)));
        assertFalse(replica.isLoaded());
    }

    @Test
    void apply_changeInsideSnapshot_isAProtocolError() {
        applier.apply(begin(7, 1));

        assertThrows(IllegalStateException.class, () -> applier.apply(change(8, keyRecord("key_a", 8))));
    }

    @Test
    void apply_changesAndHeartbeats_moveTheAppliedRevisionOnlyOutsideSnapshots() {
        loadEmptySnapshot(4);
        applier.apply(change(5, keyRecord("key_a", 5)));
        applier.apply(WatchEvent.newBuilder().setChange(Change.newBuilder().setRevision(6).setNoKeyChange(true)).build());
        applier.apply(heartbeat(9));
        assertEquals(9, replica.appliedRevision());

        applier.apply(begin(12, 1));
        applier.apply(heartbeat(12));
        assertEquals(9, replica.appliedRevision(), "a heartbeat inside a snapshot marks nothing");
        applier.apply(record("key_a", 5));
        applier.apply(end(12));
        assertEquals(12, replica.appliedRevision());

        applier.apply(WatchEvent.newBuilder().setChange(Change.newBuilder().setRevision(13).setDeletedKeyId("key_a")).build());
        assertEquals(0, replica.keyCount());
        assertEquals(13, replica.appliedRevision());
    }

    @Test
    void apply_recordTheReplicaRefuses_dropsThatKeyAndGoesOn() {
        loadEmptySnapshot(4);
        applier.apply(change(5, keyRecord("key_a", 5)));

        KeyRecord unholdable = keyRecord("key_a", 6).toBuilder().setKind(KeyKind.KEY_KIND_UNSPECIFIED).build();
        applier.apply(change(6, unholdable));
        applier.apply(change(7, keyRecord("key_b", 7)));

        assertEquals(List.of("key_a"), refused);
        assertFalse(replica.lookup(digest("key_a"), new ReplicaEntry()), "the old state is not served");
        ReplicaEntry b = new ReplicaEntry();
        assertTrue(replica.lookup(digest("key_b"), b));
        assertEquals(KeyStatus.ACTIVE, b.status);
        assertEquals(7, replica.appliedRevision());
    }

    private void loadEmptySnapshot(long revision) {
        applier.apply(begin(revision, 0));
        applier.apply(end(revision));
    }

    private static WatchEvent begin(long revision, long count) {
        return WatchEvent.newBuilder().setSnapshotBegin(
                SnapshotBegin.newBuilder().setRevision(revision).setRecordCount(count)).build();
    }

    private static WatchEvent end(long revision) {
        return WatchEvent.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder().setRevision(revision)).build();
    }

    private static WatchEvent heartbeat(long revision) {
        return WatchEvent.newBuilder().setHeartbeat(Heartbeat.newBuilder().setRevision(revision)).build();
    }

    private static WatchEvent change(long revision, KeyRecord record) {
        return WatchEvent.newBuilder().setChange(Change.newBuilder().setRevision(revision).setUpsert(record)).build();
    }

    private static WatchEvent record(String keyId, long revision) {
        return WatchEvent.newBuilder().setSnapshotRecord(keyRecord(keyId, revision)).build();
    }

    private static KeyRecord keyRecord(String keyId, long revision) {
        return KeyRecord.newBuilder().setKeyId(keyId).setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("p")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setStatus(dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_ACTIVE)
                .setPermissions(Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_ALL))
                .addSecrets(SecretDigest.newBuilder().setSha256(ByteString.copyFrom(digest(keyId))))
                .setRevision(revision).build();
    }

    private static byte[] digest(String keyId) {
        return TokenFormat.sha256("token-of-" + keyId);
    }
}
