package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.FieldMask;
import dev.keymeter.proto.admin.v1.*;
import io.grpc.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Legacy keys work, but accept no limits and no restricted permissions, and cannot be converted. */
class LegacyKeyTest {

    static final String LEGACY_TOKEN = "sk-legacy-0123456789abcdefABCDEF";

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

    private ImportLegacyKeyRequest.Builder legacy() {
        return ImportLegacyKeyRequest.newBuilder().setToken(LEGACY_TOKEN).setName("old").setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId("payments").setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT);
    }

    @Test
    void importLegacy_tokenAuthenticatesAndIsFlaggedLegacy() {
        Key k = h.admin().importLegacyKey(legacy().build());
        assertTrue(k.getLegacy());
        assertEquals("…CDEF", k.getDisplayToken());
        assertFalse(k.toString().contains(LEGACY_TOKEN));
        assertEquals(k.getId(), h.as(LEGACY_TOKEN).getKey(GetKeyRequest.newBuilder().setKeyId(k.getId()).build()).getId());
    }

    @Test
    void importLegacy_withLimits_isFailedPrecondition() {
        assertStatus(Status.Code.FAILED_PRECONDITION, "no limits",
                () -> h.admin().importLegacyKey(legacy().setLimits(Limits.newBuilder().setRequestsPerMinute(10)).build()));
    }

    @Test
    void importLegacy_restricted_isFailedPrecondition() {
        assertStatus(Status.Code.FAILED_PRECONDITION, "restricted", () -> h.admin().importLegacyKey(legacy()
                .setPermissions(Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)).build()));
    }

    @Test
    void updateLegacy_addingLimitsOrRestriction_isFailedPrecondition_andRotationRefused() {
        Key k = h.admin().importLegacyKey(legacy().build());
        assertStatus(Status.Code.FAILED_PRECONDITION, "no limits", () -> h.admin().updateKey(UpdateKeyRequest.newBuilder()
                .setKeyId(k.getId()).setKey(Key.newBuilder().setLimits(Limits.newBuilder().setTokenLimit(10)))
                .setUpdateMask(FieldMask.newBuilder().addPaths("limits.token_limit")).build()));
        assertStatus(Status.Code.FAILED_PRECONDITION, "restricted", () -> h.admin().updateKey(UpdateKeyRequest.newBuilder()
                .setKeyId(k.getId()).setKey(Key.newBuilder().setPermissions(
                        Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)))
                .setUpdateMask(FieldMask.newBuilder().addPaths("permissions")).build()));
        assertStatus(Status.Code.FAILED_PRECONDITION, "legacy",
                () -> h.admin().rotateKey(RotateKeyRequest.newBuilder().setKeyId(k.getId()).build()));
        Key readOnly = h.admin().updateKey(UpdateKeyRequest.newBuilder().setKeyId(k.getId())
                .setKey(Key.newBuilder().setPermissions(Permissions.newBuilder()
                        .setPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY)))
                .setUpdateMask(FieldMask.newBuilder().addPaths("permissions")).build());
        assertEquals(PermissionPreset.PERMISSION_PRESET_READ_ONLY, readOnly.getPermissions().getPreset());
    }

    @Test
    void importLegacy_sameTokenTwice_isAlreadyExists() {
        h.admin().importLegacyKey(legacy().build());
        assertStatus(Status.Code.ALREADY_EXISTS, "already registered",
                () -> h.admin().importLegacyKey(legacy().setName("again").build()));
    }

    @Test
    void importLegacy_keymeterPrefixWithBadChecksum_isInvalidArgument() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "checksum", () -> h.admin().importLegacyKey(
                legacy().setToken("kmu_000000000000000000000000000000AAAAAA").build()));
    }

    @Test
    void importLegacy_tooShort_isInvalidArgumentWithoutEchoingTheToken() {
        var e = assertStatus(Status.Code.INVALID_ARGUMENT, "token", () -> h.admin().importLegacyKey(
                legacy().setToken("short-secret").build()));
        assertFalse(e.getStatus().getDescription().contains("short-secret"));
    }
}
