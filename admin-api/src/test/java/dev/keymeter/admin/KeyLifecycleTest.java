package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.FieldMask;
import com.google.protobuf.util.Timestamps;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.proto.admin.v1.*;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyLifecycleTest {

    @TempDir
    Path dir;
    AdminHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        h.project("payments");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private CreateKeyRequest.Builder restrictedWithLimits(String name) {
        return CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setPermissions(Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)
                        .putResources("chat_completions", AccessLevel.ACCESS_LEVEL_WRITE)
                        .putResources("models", AccessLevel.ACCESS_LEVEL_READ))
                .setLimits(Limits.newBuilder().setCostLimitMicroUsd(25_000_000).setTokenLimit(1_000_000)
                        .setRequestsPerMinute(60).setResetPeriod(ResetPeriod.RESET_PERIOD_MONTHLY));
    }

    @Test
    void createKey_restrictedWithLimits_returnsTokenOnceAndStoresSettings() {
        CreateKeyResponse created = h.admin().createKey(restrictedWithLimits("ci-bot").build());
        assertTrue(TokenFormat.isWellFormed(created.getToken()));
        assertTrue(created.getToken().startsWith("kms_"));
        Key got = h.admin().getKey(GetKeyRequest.newBuilder().setKeyId(created.getKey().getId()).build());
        assertEquals("ci-bot", got.getName());
        assertEquals(KeyStatus.KEY_STATUS_ACTIVE, got.getStatus());
        assertEquals(PermissionPreset.PERMISSION_PRESET_RESTRICTED, got.getPermissions().getPreset());
        assertEquals(AccessLevel.ACCESS_LEVEL_WRITE, got.getPermissions().getResourcesOrThrow("chat_completions"));
        assertEquals(25_000_000, got.getLimits().getCostLimitMicroUsd());
        assertEquals(ResetPeriod.RESET_PERIOD_MONTHLY, got.getLimits().getResetPeriod());
        assertTrue(got.getDisplayToken().endsWith(created.getToken().substring(36)));
        assertFalse(got.toString().contains(created.getToken()), "the token is shown only at creation");
    }

    @Test
    void createKey_unknownResource_isInvalidArgumentNamingIt() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "permissions.resources[\"teleport\"]", () -> h.admin().createKey(
                restrictedWithLimits("x").setPermissions(Permissions.newBuilder()
                        .setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)
                        .putResources("teleport", AccessLevel.ACCESS_LEVEL_READ)).build()));
    }

    @Test
    void createKey_negativeLimit_isInvalidArgumentNamingIt() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "limits.token_limit", () -> h.admin().createKey(
                restrictedWithLimits("x").setLimits(Limits.newBuilder().setTokenLimit(-1)).build()));
    }

    @Test
    void createKey_expiryInThePast_isInvalidArgument() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "expire_time", () -> h.admin().createKey(
                restrictedWithLimits("x").setExpireTime(Timestamps.fromMillis(h.clock.millis() - 1)).build()));
    }

    @Test
    void createKey_unknownProject_isNotFound() {
        assertStatus(Status.Code.NOT_FOUND, "project nowhere", () -> h.admin().createKey(
                restrictedWithLimits("x").setProjectId("nowhere").build()));
    }

    @Test
    void createKey_nameTakenInProject_isAlreadyExists_butFreeInAnotherProject() {
        h.admin().createKey(restrictedWithLimits("shared-name").build());
        assertStatus(Status.Code.ALREADY_EXISTS, "shared-name",
                () -> h.admin().createKey(restrictedWithLimits("shared-name").build()));
        h.project("search");
        h.admin().createKey(restrictedWithLimits("shared-name").setProjectId("search").build());
    }

    @Test
    void updateKey_renameToTakenName_isAlreadyExists() {
        h.admin().createKey(restrictedWithLimits("a").build());
        Key b = h.admin().createKey(restrictedWithLimits("b").build()).getKey();
        assertStatus(Status.Code.ALREADY_EXISTS, "'a'", () -> h.admin().updateKey(UpdateKeyRequest.newBuilder()
                .setKeyId(b.getId()).setKey(Key.newBuilder().setName("a"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build()));
    }

    @Test
    void updateKey_ownerTypeKindOrProject_isInvalidArgumentNamingTheField() {
        Key k = h.admin().createKey(restrictedWithLimits("k").build()).getKey();
        for (String field : new String[] {"owner_type", "kind", "project_id", "owner_user"}) {
            assertStatus(Status.Code.INVALID_ARGUMENT, field + " is immutable", () -> h.admin().updateKey(
                    UpdateKeyRequest.newBuilder().setKeyId(k.getId())
                            .setKey(Key.newBuilder().setOwnerType(OwnerType.OWNER_TYPE_USER).setOwnerUser("eve"))
                            .setUpdateMask(FieldMask.newBuilder().addPaths("name").addPaths(field)).build()));
        }
        Key after = h.admin().getKey(GetKeyRequest.newBuilder().setKeyId(k.getId()).build());
        assertEquals(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT, after.getOwnerType());
        assertEquals("k", after.getName());
    }

    @Test
    void updateKey_singleLimitPath_changesOnlyThatLimit() {
        Key k = h.admin().createKey(restrictedWithLimits("k").build()).getKey();
        Key updated = h.admin().updateKey(UpdateKeyRequest.newBuilder().setKeyId(k.getId())
                .setKey(Key.newBuilder().setLimits(Limits.newBuilder().setTokenLimit(5)))
                .setUpdateMask(FieldMask.newBuilder().addPaths("limits.token_limit")).build());
        assertEquals(5, updated.getLimits().getTokenLimit());
        assertEquals(25_000_000, updated.getLimits().getCostLimitMicroUsd());
        assertEquals(60, updated.getLimits().getRequestsPerMinute());
        assertTrue(updated.getRevision() > k.getRevision());
        Key cleared = h.admin().updateKey(UpdateKeyRequest.newBuilder().setKeyId(k.getId())
                .setKey(Key.newBuilder().setLimits(Limits.getDefaultInstance()))
                .setUpdateMask(FieldMask.newBuilder().addPaths("limits.cost_limit_micro_usd")).build());
        assertFalse(cleared.getLimits().hasCostLimitMicroUsd());
        assertEquals(5, cleared.getLimits().getTokenLimit());
    }

    @Test
    void revokeKey_isPermanent_enableIsFailedPrecondition() {
        CreateKeyResponse created = h.admin().createKey(restrictedWithLimits("k").build());
        String id = created.getKey().getId();
        h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(id).build());
        assertStatus(Status.Code.FAILED_PRECONDITION, "revocation is permanent",
                () -> h.admin().enableKey(EnableKeyRequest.newBuilder().setKeyId(id).build()));
        assertStatus(Status.Code.FAILED_PRECONDITION, "revoked",
                () -> h.admin().rotateKey(RotateKeyRequest.newBuilder().setKeyId(id).build()));
        assertEquals(KeyStatus.KEY_STATUS_REVOKED,
                h.admin().getKey(GetKeyRequest.newBuilder().setKeyId(id).build()).getStatus());
        assertStatus(Status.Code.UNAUTHENTICATED, "", () -> h.as(created.getToken())
                .getKey(GetKeyRequest.newBuilder().setKeyId(id).build()));
    }

    @Test
    void disableThenEnable_togglesAuthentication() {
        CreateKeyResponse created = h.admin().createKey(restrictedWithLimits("k").build());
        String id = created.getKey().getId();
        GetKeyRequest self = GetKeyRequest.newBuilder().setKeyId(id).build();
        h.as(created.getToken()).getKey(self);
        h.admin().disableKey(DisableKeyRequest.newBuilder().setKeyId(id).build());
        assertStatus(Status.Code.UNAUTHENTICATED, "", () -> h.as(created.getToken()).getKey(self));
        h.admin().enableKey(EnableKeyRequest.newBuilder().setKeyId(id).build());
        assertEquals(KeyStatus.KEY_STATUS_ACTIVE, h.as(created.getToken()).getKey(self).getStatus());
    }

    @Test
    void deleteKey_removesItAndItsToken() {
        CreateKeyResponse created = h.admin().createKey(restrictedWithLimits("k").build());
        String id = created.getKey().getId();
        h.admin().deleteKey(DeleteKeyRequest.newBuilder().setKeyId(id).build());
        assertStatus(Status.Code.NOT_FOUND, "key " + id,
                () -> h.admin().getKey(GetKeyRequest.newBuilder().setKeyId(id).build()));
        assertStatus(Status.Code.UNAUTHENTICATED, "", () -> h.as(created.getToken())
                .getKey(GetKeyRequest.newBuilder().setKeyId(id).build()));
    }

    @Test
    void duplicateKey_copiesSettingsWithNewIdAndToken() {
        CreateKeyResponse original = h.admin().createKey(restrictedWithLimits("k").build());
        CreateKeyResponse copy = h.admin().duplicateKey(
                DuplicateKeyRequest.newBuilder().setKeyId(original.getKey().getId()).build());
        assertNotEquals(original.getKey().getId(), copy.getKey().getId());
        assertNotEquals(original.getToken(), copy.getToken());
        assertEquals("k (copy)", copy.getKey().getName());
        assertEquals(original.getKey().getPermissions(), copy.getKey().getPermissions());
        assertEquals(original.getKey().getLimits(), copy.getKey().getLimits());
        assertStatus(Status.Code.ALREADY_EXISTS, "k (copy)", () -> h.admin().duplicateKey(
                DuplicateKeyRequest.newBuilder().setKeyId(original.getKey().getId()).build()));
    }

    @Test
    void expiredKey_stopsAuthenticatingExactlyAtExpiry() {
        CreateKeyResponse created = h.admin().createKey(restrictedWithLimits("k")
                .setExpireTime(Timestamps.fromMillis(h.clock.millis() + 60_000)).build());
        GetKeyRequest self = GetKeyRequest.newBuilder().setKeyId(created.getKey().getId()).build();
        h.advance(Duration.ofMillis(59_999));
        h.as(created.getToken()).getKey(self);
        h.advance(Duration.ofMillis(1));
        assertStatus(Status.Code.UNAUTHENTICATED, "", () -> h.as(created.getToken()).getKey(self));
    }

    @Test
    void getKeyUsage_withoutCounters_reportsLimitsZeroUsageAndPeriod() {
        Key k = h.admin().createKey(restrictedWithLimits("k").build()).getKey();
        KeyUsage u = h.admin().getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(k.getId()).build());
        assertEquals(0, u.getTokens().getUsed());
        assertEquals(1_000_000, u.getTokens().getRemaining());
        assertEquals(60, u.getRequestsPerMinute().getLimit());
        assertEquals("2026-11-01T00:00:00Z", Timestamps.toString(u.getPeriodStartTime()));
        assertEquals("2026-12-01T00:00:00Z", Timestamps.toString(u.getPeriodEndTime()));
    }

    @Test
    void createProject_issuesFirstServiceKeyWithPresetAll() {
        CreateProjectResponse p = h.project("search");
        assertTrue(p.getToken().startsWith("kms_"));
        assertEquals("search", p.getKey().getProjectId());
        assertEquals(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT, p.getKey().getOwnerType());
        assertEquals(PermissionPreset.PERMISSION_PRESET_ALL, p.getKey().getPermissions().getPreset());
        assertStatus(Status.Code.ALREADY_EXISTS, "search", () -> h.project("search"));
    }

    @Test
    void deleteProject_revokesItsKeys() {
        CreateProjectResponse p = h.project("doomed");
        Key extra = h.serviceKey("doomed", "extra").getKey();
        DeleteProjectResponse r = h.admin().deleteProject(DeleteProjectRequest.newBuilder().setProjectId("doomed").build());
        assertEquals(2, r.getRevokedKeys());
        for (String id : new String[] {p.getKey().getId(), extra.getId()}) {
            assertEquals(KeyStatus.KEY_STATUS_REVOKED,
                    h.admin().getKey(GetKeyRequest.newBuilder().setKeyId(id).build()).getStatus());
        }
        assertStatus(Status.Code.NOT_FOUND, "project doomed",
                () -> h.admin().getProject(GetProjectRequest.newBuilder().setProjectId("doomed").build()));
    }

    @Test
    void keys_surviveARestartOfTheControlPlane() throws Exception {
        Key k = h.admin().createKey(restrictedWithLimits("k").build()).getKey();
        h.restart();
        assertEquals(k, h.admin().getKey(GetKeyRequest.newBuilder().setKeyId(k.getId()).build()));
    }
}
