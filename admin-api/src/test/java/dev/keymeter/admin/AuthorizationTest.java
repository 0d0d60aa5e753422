package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keymeter.proto.admin.v1.*;
import io.grpc.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may call what: admin keys manage, read-only admin keys read, project keys read only themselves. */
class AuthorizationTest {

    @TempDir
    Path dir;
    AdminHarness h;
    CreateProjectResponse payments;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        payments = h.project("payments");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void projectKey_readsItselfOnly() {
        String token = payments.getToken();
        String self = payments.getKey().getId();
        String other = h.serviceKey("payments", "other").getKey().getId();
        assertEquals(self, h.as(token).getKey(GetKeyRequest.newBuilder().setKeyId(self).build()).getId());
        h.as(token).getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(self).build());
        assertStatus(Status.Code.PERMISSION_DENIED, "only read themselves",
                () -> h.as(token).getKey(GetKeyRequest.newBuilder().setKeyId(other).build()));
        assertStatus(Status.Code.PERMISSION_DENIED, "only read themselves",
                () -> h.as(token).getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(other).build()));
        assertStatus(Status.Code.PERMISSION_DENIED, "only read themselves",
                () -> h.as(token).listKeys(ListKeysRequest.newBuilder().setProjectId("payments").build()));
        assertStatus(Status.Code.PERMISSION_DENIED, "only read themselves",
                () -> h.as(token).listAuditRecords(ListAuditRecordsRequest.getDefaultInstance()));
        assertStatus(Status.Code.PERMISSION_DENIED, "",
                () -> h.as(token).disableKey(DisableKeyRequest.newBuilder().setKeyId(self).build()));
    }

    @Test
    void projectKey_cannotCreateServiceAccountOrAdminKeys() {
        String token = payments.getToken();
        assertStatus(Status.Code.PERMISSION_DENIED, "", () -> h.as(token).createKey(CreateKeyRequest.newBuilder()
                .setName("sa").setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build()));
        assertStatus(Status.Code.PERMISSION_DENIED, "", () -> h.as(token).createKey(CreateKeyRequest.newBuilder()
                .setName("adm").setKind(KeyKind.KEY_KIND_ADMIN).setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build()));
        assertEquals(1, h.admin().listKeys(ListKeysRequest.newBuilder().setProjectId("payments").build()).getKeysCount());
        assertEquals(1, h.admin().listKeys(ListKeysRequest.newBuilder().setKind(KeyKind.KEY_KIND_ADMIN).build()).getKeysCount());
    }

    @Test
    void readOnlyAdminKey_readsButCannotChange() {
        String token = h.admin().createKey(CreateKeyRequest.newBuilder().setName("auditor").setKind(KeyKind.KEY_KIND_ADMIN)
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setPermissions(Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY)).build())
                .getToken();
        assertEquals(3, h.as(token).listKeys(ListKeysRequest.getDefaultInstance()).getKeysCount()); // bootstrap, default, auditor
        assertStatus(Status.Code.PERMISSION_DENIED, "may only read",
                () -> h.as(token).createProject(CreateProjectRequest.newBuilder().setProjectId("nope").build()));
    }

    @Test
    void missingOrMalformedOrUnknownToken_isUnauthenticated() {
        assertStatus(Status.Code.UNAUTHENTICATED, "missing API key",
                () -> h.anonymous().listKeys(ListKeysRequest.getDefaultInstance()));
        assertStatus(Status.Code.UNAUTHENTICATED, "invalid",
                () -> h.as("kma_thisIsNotAValidChecksumAtAll000000000").listKeys(ListKeysRequest.getDefaultInstance()));
        assertStatus(Status.Code.UNAUTHENTICATED, "invalid",
                () -> h.as("some-random-string-of-length").listKeys(ListKeysRequest.getDefaultInstance()));
    }
}
