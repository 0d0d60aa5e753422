package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import dev.keymeter.proto.admin.v1.*;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The last active admin key with preset All cannot be revoked, disabled, deleted, downgraded or given
 * an expiry, through the real admin API: FAILED_PRECONDITION naming the key, nothing changed, the
 * refusal audited. (Concurrent attempts: {@link LastAdminKeyConcurrencyTest}.)
 */
class LastAdminKeyTest {

    @TempDir
    Path dir;
    AdminHarness h;
    String bootstrapId;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        bootstrapId = h.admin().listKeys(ListKeysRequest.newBuilder().setKind(KeyKind.KEY_KIND_ADMIN).build())
                .getKeys(0).getId();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private String lastKeyMessage(String keyId) {
        return keyId + " is the last active admin key with preset All: ";
    }

    @Test
    void revokeDisableDelete_ofTheLastAllAdminKey_areFailedPrecondition_andChangeNothing() {
        assertStatus(Status.Code.FAILED_PRECONDITION, lastKeyMessage(bootstrapId) + "revoking it would leave no key",
                () -> h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(bootstrapId).build()));
        assertStatus(Status.Code.FAILED_PRECONDITION, lastKeyMessage(bootstrapId) + "disabling it",
                () -> h.admin().disableKey(DisableKeyRequest.newBuilder().setKeyId(bootstrapId).build()));
        assertStatus(Status.Code.FAILED_PRECONDITION, lastKeyMessage(bootstrapId) + "deleting it",
                () -> h.admin().deleteKey(DeleteKeyRequest.newBuilder().setKeyId(bootstrapId).build()));
        Key key = h.admin().getKey(GetKeyRequest.newBuilder().setKeyId(bootstrapId).build());
        assertEquals(KeyStatus.KEY_STATUS_ACTIVE, key.getStatus());
        var audit = h.admin().listAuditRecords(ListAuditRecordsRequest.newBuilder()
                .setTarget("key/" + bootstrapId).build()).getRecordsList();
        assertEquals(3, audit.stream().filter(r -> r.getOutcome().equals("FAILED_PRECONDITION")).count(),
                () -> "audit: " + audit);
    }

    @Test
    void downgradeOrExpiry_ofTheLastAllAdminKey_isFailedPrecondition_renameIsNot() {
        assertStatus(Status.Code.FAILED_PRECONDITION, lastKeyMessage(bootstrapId) + "changing its permissions",
                () -> update(bootstrapId, "permissions", Key.newBuilder().setPermissions(
                        Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY)).build()));
        assertStatus(Status.Code.FAILED_PRECONDITION, lastKeyMessage(bootstrapId),
                () -> update(bootstrapId, "permissions", Key.newBuilder().setPermissions(Permissions.newBuilder()
                        .setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)
                        .putResources("projects", AccessLevel.ACCESS_LEVEL_WRITE)).build()));
        assertStatus(Status.Code.FAILED_PRECONDITION, lastKeyMessage(bootstrapId) + "changing its permissions or expiry",
                () -> update(bootstrapId, "expire_time", Key.newBuilder().setExpireTime(inDays(30)).build()));
        Key renamed = update(bootstrapId, "name", Key.newBuilder().setName("root").build());
        assertEquals("root", renamed.getName());
        assertEquals(PermissionPreset.PERMISSION_PRESET_ALL, renamed.getPermissions().getPreset());
        assertTrue(!renamed.hasExpireTime(), "no expiry was set");
    }

    @Test
    void withASecondAllAdminKey_theFirstCanGo_thenTheSecondIsTheLast() {
        CreateKeyResponse second = allAdmin("second");
        h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(bootstrapId).build());
        String secondId = second.getKey().getId();
        assertStatus(Status.Code.FAILED_PRECONDITION, lastKeyMessage(secondId),
                () -> h.as(second.getToken()).revokeKey(RevokeKeyRequest.newBuilder().setKeyId(secondId).build()));
        h.as(second.getToken()).deleteKey(DeleteKeyRequest.newBuilder().setKeyId(bootstrapId).build()); // revoked: no guard
    }

    @Test
    void readOnlyOrExpiredOrDisabledAdminKeys_doNotCount() {
        h.admin().createKey(adminRequest("auditor").setPermissions(
                Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY)).build());
        h.admin().createKey(adminRequest("temporary").setExpireTime(timestamp(h.clock.instant().plus(Duration.ofHours(1))))
                .build());
        String disabled = allAdmin("disabled").getKey().getId();
        h.admin().disableKey(DisableKeyRequest.newBuilder().setKeyId(disabled).build());
        h.advance(Duration.ofHours(2)); // "temporary" has expired
        assertStatus(Status.Code.FAILED_PRECONDITION, lastKeyMessage(bootstrapId),
                () -> h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(bootstrapId).build()));
    }

    @Test
    void anExpiryOnTheLastKey_cannotBeBroughtForward_butCanBeRemoved() {
        CreateKeyResponse other = allAdmin("other");
        update(bootstrapId, "expire_time", Key.newBuilder().setExpireTime(inDays(30)).build()); // another key manages
        h.as(other.getToken()).revokeKey(RevokeKeyRequest.newBuilder().setKeyId(other.getKey().getId()).build());
        assertStatus(Status.Code.FAILED_PRECONDITION, lastKeyMessage(bootstrapId),
                () -> update(bootstrapId, "expire_time", Key.newBuilder().setExpireTime(inDays(1)).build()));
        update(bootstrapId, "expire_time", Key.newBuilder().setExpireTime(inDays(60)).build()); // later: allowed
        Key cleared = update(bootstrapId, "expire_time", Key.getDefaultInstance());
        assertTrue(!cleared.hasExpireTime(), "expiry removed");
    }

    @Test
    void removingTheMemberWhoOwnsTheLastAllAdminKey_isFailedPrecondition_andRevokesNothing() {
        h.admin().addMember(AddMemberRequest.newBuilder().setUser("alice@example.com").build());
        CreateKeyResponse alices = h.admin().createKey(CreateKeyRequest.newBuilder().setName("alice-admin")
                .setKind(KeyKind.KEY_KIND_ADMIN).setOwnerType(OwnerType.OWNER_TYPE_USER)
                .setOwnerUser("alice@example.com").build());
        h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(bootstrapId).build());
        String aliceKey = alices.getKey().getId();
        assertStatus(Status.Code.FAILED_PRECONDITION, lastKeyMessage(aliceKey) + "revoking it",
                () -> h.as(alices.getToken()).removeMember(RemoveMemberRequest.newBuilder()
                        .setUser("alice@example.com").build()));
        assertEquals(KeyStatus.KEY_STATUS_ACTIVE, h.as(alices.getToken())
                .getKey(GetKeyRequest.newBuilder().setKeyId(aliceKey).build()).getStatus());
        assertEquals(1, h.as(alices.getToken()).listMembers(ListMembersRequest.getDefaultInstance()).getMembersCount());
    }

    private Key update(String keyId, String field, Key values) {
        return h.admin().updateKey(UpdateKeyRequest.newBuilder().setKeyId(keyId).setKey(values)
                .setUpdateMask(FieldMask.newBuilder().addPaths(field)).build());
    }

    private CreateKeyResponse allAdmin(String name) {
        return h.admin().createKey(adminRequest(name).build());
    }

    private static CreateKeyRequest.Builder adminRequest(String name) {
        return CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_ADMIN)
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT);
    }

    private Timestamp inDays(int days) {
        return timestamp(h.clock.instant().plus(Duration.ofDays(days)));
    }

    private static Timestamp timestamp(java.time.Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).build();
    }
}
