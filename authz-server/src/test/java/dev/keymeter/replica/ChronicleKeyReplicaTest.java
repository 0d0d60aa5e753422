package dev.keymeter.replica;

import static dev.keymeter.replica.KeyRecordFixtures.current;
import static dev.keymeter.replica.KeyRecordFixtures.digest;
import static dev.keymeter.replica.KeyRecordFixtures.inGrace;
import static dev.keymeter.replica.KeyRecordFixtures.key;
import static dev.keymeter.replica.KeyRecordFixtures.keyId;
import static dev.keymeter.replica.KeyRecordFixtures.timestamp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Resource;
import dev.keymeter.keys.TextBound;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.keys.LimitBound;
import dev.keymeter.keys.ResetPeriod;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica's contract on real Chronicle Map files in a temporary directory. */
class ChronicleKeyReplicaTest {

    private static final byte[] A1 = digest("token-a1");
    private static final byte[] A2 = digest("token-a2");
    private static final byte[] B1 = digest("token-b1");

    @TempDir Path dir;
    private ChronicleKeyReplica replica;
    private final ReplicaEntry entry = new ReplicaEntry();

    @BeforeEach
    void open() throws IOException {
        replica = ChronicleKeyReplica.open(dir, 1_000);
    }

    @AfterEach
    void close() {
        replica.close();
    }

    @Test
    void upsert_everyField_lookupCopiesThemAll() {
        long expiry = 1_900_000_000_123L;
        replica.upsert(key(keyId(1), 7, A1)
                .setPermissions(Permissions.newBuilder()
                        .setPreset(dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_RESTRICTED)
                        .putResources("chat_completions", dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_WRITE)
                        .putResources("datasets", dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_READ)
                        .putResources("not_a_resource", dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_WRITE))
                .setLimits(Limits.newBuilder().setCostLimitMicroUsd(5_000_000).setTokenLimit(1_000)
                        .setRequestsPerMinute(60)
                        .setResetPeriod(dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_MONTHLY))
                .setExpireTime(timestamp(expiry))
                .setLegacy(true)
                .build());

        assertTrue(replica.lookup(A1, entry));
        assertEquals(keyId(1), entry.keyId);
        assertEquals(KeyKind.PROJECT, entry.kind);
        assertEquals(OwnerType.USER, entry.ownerType);
        assertEquals("user-" + keyId(1), entry.ownerUser);
        assertEquals("project-1", entry.projectId);
        assertEquals(KeyStatus.ACTIVE, entry.status);
        assertTrue(entry.legacy);
        assertEquals(PermissionPreset.RESTRICTED, entry.preset);
        assertEquals(AccessLevel.WRITE, entry.levelOf(Resource.CHAT_COMPLETIONS));
        assertEquals(AccessLevel.READ, entry.levelOf(Resource.DATASETS));
        assertEquals(AccessLevel.NONE, entry.levelOf(Resource.EMBEDDINGS));
        assertEquals(5_000_000, entry.costLimitMicroUsd);
        assertEquals(1_000, entry.tokenLimit);
        assertEquals(60, entry.requestsPerMinute);
        assertEquals(ResetPeriod.MONTHLY, entry.resetPeriod);
        assertEquals(expiry, entry.keyExpiresAtMillis);
        assertEquals(ReplicaEntry.NEVER, entry.secretExpiresAtMillis);
        assertEquals(7, entry.revision);
    }

    @Test
    void upsert_longestFields_roundTripExactly() {
        String longestId = "key_" + "Z".repeat(20);
        String longestProject = "p".repeat(63);
        String longestUser = "é".repeat(64); // 128 bytes of UTF-8
        replica.upsert(key(longestId, 1, A1).setProjectId(longestProject).setOwnerUser(longestUser).build());

        assertTrue(replica.lookup(A1, entry));
        assertEquals(longestId, entry.keyId);
        assertEquals(longestProject, entry.projectId);
        assertEquals(longestUser, entry.ownerUser);
    }

    @Test
    void upsert_everyMaximumTheAdminApiAllows_isHeldExactly() {
        String longestId = "key_" + "Z".repeat(TextBound.KEY_ID.maxChars() - 4);
        String longestProject = "p".repeat(TextBound.PROJECT_ID.maxChars());
        String widestUser = "\uD83D\uDE00".repeat(TextBound.USER.maxChars()); // 128 emoji: 512 bytes of UTF-8
        replica.upsert(key(longestId, 1, A1).setProjectId(longestProject).setOwnerUser(widestUser)
                .setLimits(Limits.newBuilder().setCostLimitMicroUsd(LimitBound.COST_MICRO_USD.max())
                        .setTokenLimit(LimitBound.TOKENS.max()).setRequestsPerMinute(LimitBound.REQUESTS_PER_MINUTE.max()))
                .build());

        assertTrue(replica.lookup(A1, entry));
        assertEquals(longestId, entry.keyId);
        assertEquals(longestProject, entry.projectId);
        assertEquals(widestUser, entry.ownerUser);
        assertEquals(LimitBound.COST_MICRO_USD.max(), entry.costLimitMicroUsd);
        assertEquals(LimitBound.TOKENS.max(), entry.tokenLimit);
        assertEquals(LimitBound.REQUESTS_PER_MINUTE.max(), entry.requestsPerMinute);
    }

    @Test
    void upsert_ownerOf128NonAsciiCharacters_isHeld() {
        String owner = "\u6F22".repeat(128); // 384 bytes of UTF-8: the admin API accepts it
        replica.upsert(key(keyId(1), 1, A1).setOwnerUser(owner).build());

        assertTrue(replica.lookup(A1, entry));
        assertEquals(owner, entry.ownerUser);
    }

    @Test
    void upsert_serviceAccountAdminKeyWithoutLimits_readsSentinelsAndNulls() {
        replica.upsert(key(keyId(2), 3, A1)
                .setKind(dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_ADMIN)
                .setOwnerType(dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .clearOwnerUser().clearProjectId().build());

        assertTrue(replica.lookup(A1, entry));
        assertEquals(KeyKind.ADMIN, entry.kind);
        assertEquals(OwnerType.SERVICE_ACCOUNT, entry.ownerType);
        assertNull(entry.ownerUser);
        assertNull(entry.projectId);
        assertEquals(ReplicaEntry.NO_LIMIT, entry.costLimitMicroUsd);
        assertEquals(ReplicaEntry.NO_LIMIT, entry.tokenLimit);
        assertEquals(ReplicaEntry.NO_LIMIT, entry.requestsPerMinute);
        assertEquals(ResetPeriod.NEVER, entry.resetPeriod);
        assertEquals(ReplicaEntry.NEVER, entry.keyExpiresAtMillis);
        assertEquals(AccessLevel.WRITE, entry.levelOf(Resource.AGENTS));
    }

    @Test
    void upsert_rotationWithGrace_bothDigestsFindTheKeyEachWithItsOwnExpiry() {
        replica.upsert(key(keyId(1), 1, A1).build());
        long graceEnd = 1_800_000_000_000L;
        replica.upsert(key(keyId(1), 2).addSecrets(current(A2)).addSecrets(inGrace(A1, graceEnd)).build());

        assertTrue(replica.lookup(A2, entry));
        assertEquals(ReplicaEntry.NEVER, entry.secretExpiresAtMillis);
        assertEquals(2, entry.revision);
        assertTrue(replica.lookup(A1, entry));
        assertEquals(graceEnd, entry.secretExpiresAtMillis);
        assertEquals(2, entry.revision);
        assertEquals(1, replica.keyCount());
        assertEquals(2, replica.digestCount());
    }

    @Test
    void upsert_digestNoLongerListed_isRemoved() {
        replica.upsert(key(keyId(1), 1).addSecrets(current(A2)).addSecrets(inGrace(A1, 5)).build());
        replica.upsert(key(keyId(1), 2, A2).build());

        assertFalse(replica.lookup(A1, entry));
        assertTrue(replica.lookup(A2, entry));
        assertEquals(1, replica.digestCount());
    }

    @Test
    void upsert_noSecrets_removesTheKeyAndItsDigests() {
        replica.upsert(key(keyId(1), 1, A1, A2).build());
        replica.upsert(key(keyId(1), 2).build());

        assertFalse(replica.lookup(A1, entry));
        assertFalse(replica.lookup(A2, entry));
        assertEquals(0, replica.keyCount());
        assertEquals(0, replica.digestCount());
    }

    @Test
    void upsert_revokedOrDisabledKey_isStillFoundWithItsStatus() {
        replica.upsert(key(keyId(1), 1, A1)
                .setStatus(dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_REVOKED).build());
        replica.upsert(key(keyId(2), 2, B1)
                .setStatus(dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_DISABLED).build());

        assertTrue(replica.lookup(A1, entry));
        assertEquals(KeyStatus.REVOKED, entry.status);
        assertFalse(entry.authenticatesAt(0));
        assertTrue(replica.lookup(B1, entry));
        assertEquals(KeyStatus.DISABLED, entry.status);
    }

    @Test
    void delete_key_removesItAndEveryDigest() {
        replica.upsert(key(keyId(1), 1, A1, A2).build());
        replica.upsert(key(keyId(2), 2, B1).build());

        replica.delete(keyId(1));

        assertFalse(replica.lookup(A1, entry));
        assertFalse(replica.lookup(A2, entry));
        assertTrue(replica.lookup(B1, entry));
        assertEquals(1, replica.keyCount());
        assertEquals(1, replica.digestCount());
    }

    @Test
    void delete_unknownOrMalformedKeyId_isNoOp() {
        replica.upsert(key(keyId(1), 1, A1).build());

        replica.delete(keyId(99));
        replica.delete("");
        replica.delete("x".repeat(200));

        assertTrue(replica.lookup(A1, entry));
    }

    @Test
    void lookup_unknownOrMalformedDigest_returnsFalse() {
        replica.upsert(key(keyId(1), 1, A1).build());

        assertFalse(replica.lookup(B1, entry));
        assertFalse(replica.lookup(new byte[31], entry));
        assertFalse(replica.lookup(null, entry));
    }

    @Test
    void lookup_sameKeyAgain_keepsTheHoldersStrings() {
        replica.upsert(key(keyId(1), 1, A1).build());
        assertTrue(replica.lookup(A1, entry));
        String id = entry.keyId;
        String project = entry.projectId;

        assertTrue(replica.lookup(A1, entry));

        assertSame(id, entry.keyId);
        assertSame(project, entry.projectId);
    }

    @Test
    void upsert_recordBreakingTheContract_isRefusedWholeNamingTheField() {
        replica.upsert(key(keyId(1), 1, A1).build());
        assertRefused("key_id", key("key_" + "x".repeat(21), 2, B1).build());
        assertRefused("secrets.sha256", key(keyId(2), 2, new byte[31]).build());
        assertRefused("secrets", key(keyId(2), 2, B1, A2, digest("third")).build());
        assertRefused("secrets", key(keyId(2), 2, B1, B1).build());
        assertRefused("status", key(keyId(2), 2, B1).clearStatus().build());
        assertRefused("permissions.preset", key(keyId(2), 2, B1).clearPermissions().build());
        assertRefused("owner_user", key(keyId(2), 2, B1).setOwnerUser("é".repeat(129)).build());
        assertRefused("project_id", key(keyId(2), 2, B1).setProjectId("p".repeat(64)).build());
        // The key that was there is unchanged, and nothing of the refused ones was written.
        assertRefused("secrets.sha256", key(keyId(1), 2, A2, new byte[5]).build());
        assertTrue(replica.lookup(A1, entry));
        assertEquals(1, entry.revision);
        assertFalse(replica.lookup(B1, entry));
        assertEquals(1, replica.keyCount());
        assertEquals(1, replica.digestCount());
    }

    private void assertRefused(String field, KeyRecord record) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> replica.upsert(record));
        assertTrue(e.getMessage().startsWith("KeyRecord." + field + " "), e.getMessage());
    }

    @Test
    void snapshot_keysItDoesNotList_serveUntilEndThenVanish() {
        replica.upsert(key(keyId(1), 1, A1).build());
        replica.upsert(key(keyId(2), 2, B1).build());
        replica.markApplied(2);

        replica.beginSnapshot(10);
        replica.upsert(key(keyId(1), 9, A1).build());
        assertTrue(replica.lookup(B1, entry), "the old replica keeps serving during the snapshot");
        assertEquals(2, replica.appliedRevision());
        replica.endSnapshot(10);

        assertFalse(replica.lookup(B1, entry));
        assertTrue(replica.lookup(A1, entry));
        assertEquals(9, entry.revision);
        assertEquals(1, replica.keyCount());
        assertEquals(1, replica.digestCount());
        assertEquals(10, replica.appliedRevision());
        assertTrue(replica.isLoaded());
    }

    @Test
    void snapshot_secondSnapshot_sweepsKeysOfTheFirst() {
        replica.beginSnapshot(5);
        replica.upsert(key(keyId(1), 1, A1).build());
        replica.upsert(key(keyId(2), 2, B1).build());
        replica.endSnapshot(5);
        replica.upsert(key(keyId(3), 6, A2).build());
        replica.markApplied(6);

        replica.beginSnapshot(8);
        replica.upsert(key(keyId(2), 7, B1).build());
        replica.endSnapshot(8);

        assertFalse(replica.lookup(A1, entry));
        assertFalse(replica.lookup(A2, entry));
        assertTrue(replica.lookup(B1, entry));
        assertEquals(8, replica.appliedRevision());
    }

    @Test
    void endSnapshot_withoutBeginOrAtAnotherRevision_isRefusedAndSweepsNothing() {
        replica.upsert(key(keyId(1), 1, A1).build());
        assertThrows(IllegalStateException.class, () -> replica.endSnapshot(3));

        replica.beginSnapshot(4);
        assertThrows(IllegalArgumentException.class, () -> replica.endSnapshot(5));

        assertTrue(replica.lookup(A1, entry));
        assertFalse(replica.isLoaded());
    }

    @Test
    void markApplied_afterAbandonedSnapshot_keepsEveryKeyAndNeedsANewBegin() {
        replica.upsert(key(keyId(1), 1, A1).build());
        replica.beginSnapshot(4);
        replica.upsert(key(keyId(2), 3, B1).build());

        replica.markApplied(5);

        assertTrue(replica.lookup(A1, entry));
        assertTrue(replica.lookup(B1, entry));
        assertEquals(5, replica.appliedRevision());
        assertThrows(IllegalStateException.class, () -> replica.endSnapshot(4));
    }

    @Test
    void open_afterCleanClose_keepsKeysRevisionAndLoaded() throws IOException {
        replica.beginSnapshot(3);
        replica.upsert(key(keyId(1), 2, A1, A2).build());
        replica.endSnapshot(3);
        replica.upsert(key(keyId(2), 4, B1).build());
        replica.markApplied(4);
        replica.close();

        replica = ChronicleKeyReplica.open(dir, 1_000);

        assertEquals(4, replica.appliedRevision());
        assertTrue(replica.isLoaded());
        assertEquals(1_000, replica.digestCapacity());
        assertEquals(2, replica.keyCount());
        assertEquals(3, replica.digestCount());
        assertTrue(replica.lookup(A2, entry));
        assertEquals(keyId(1), entry.keyId);
        // The key map came back too: the next upsert still removes the digest it no longer lists.
        replica.upsert(key(keyId(1), 5, A1).build());
        assertFalse(replica.lookup(A2, entry));
    }

    @Test
    void open_newReplica_isEmptyAndNotLoaded() {
        assertEquals(0, replica.appliedRevision());
        assertFalse(replica.isLoaded());
        assertEquals(0, replica.keyCount());
        assertEquals(0, replica.digestCount());
        assertEquals(1_000, replica.digestCapacity());
    }

    @Test
    void open_directoryAlreadyOpen_isRefused() {
        IOException refused = assertThrows(IOException.class, () -> ChronicleKeyReplica.open(dir, 1_000));
        assertFalse(refused instanceof ReplicaUnusableException, refused.toString());
        assertTrue(refused.getMessage().contains("already open"), refused.getMessage());
    }

    @Test
    void close_thenWrite_isRefusedAndLookupMisses() {
        replica.upsert(key(keyId(1), 1, A1).build());
        replica.close();

        assertFalse(replica.lookup(A1, entry));
        assertThrows(IllegalStateException.class, () -> replica.upsert(key(keyId(2), 2, B1).build()));
        assertThrows(IllegalStateException.class, () -> replica.markApplied(2));
        replica.close(); // a second close is a no-op
    }
}
