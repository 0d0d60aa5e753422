package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keymeter.proto.admin.v1.*;
import dev.keymeter.proto.replication.v1.ReplicationServiceGrpc;
import dev.keymeter.proto.replication.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin keys read what their preset allows: Read only reads everything; Restricted reads projects
 * with {@code projects}, keys, members and the replication stream with {@code identities}, and the
 * audit log with {@code reporting} (read or write); every key reads itself.
 */
class PresetReadsTest {

    @TempDir
    Path dir;
    AdminHarness h;
    String otherKeyId;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        otherKeyId = h.project("payments").getKey().getId();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void restrictedAdminWithProjectsOnly_readsProjectsAndItself_nothingElse() {
        CreateKeyResponse key = admin("projects-only", Map.of("projects", AccessLevel.ACCESS_LEVEL_READ));
        var stub = h.as(key.getToken());
        assertEquals(1, stub.listProjects(ListProjectsRequest.getDefaultInstance()).getProjectsCount());
        assertEquals("payments", stub.getProject(GetProjectRequest.newBuilder().setProjectId("payments").build()).getId());
        assertEquals(key.getKey().getId(), stub.getKey(GetKeyRequest.newBuilder().setKeyId(key.getKey().getId()).build()).getId());
        String noIdentities = "this admin key has preset RESTRICTED without read on identities; "
                + "this read needs identities=read (or preset READ_ONLY or ALL)";
        assertStatus(Status.Code.PERMISSION_DENIED, noIdentities,
                () -> stub.listKeys(ListKeysRequest.getDefaultInstance()));
        assertStatus(Status.Code.PERMISSION_DENIED, noIdentities,
                () -> stub.getKey(GetKeyRequest.newBuilder().setKeyId(otherKeyId).build()));
        assertStatus(Status.Code.PERMISSION_DENIED, noIdentities,
                () -> stub.getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(otherKeyId).build()));
        assertStatus(Status.Code.PERMISSION_DENIED, noIdentities,
                () -> stub.listMembers(ListMembersRequest.getDefaultInstance()));
        assertStatus(Status.Code.PERMISSION_DENIED, "without read on reporting",
                () -> stub.listAuditRecords(ListAuditRecordsRequest.getDefaultInstance()));
        assertStatus(Status.Code.PERMISSION_DENIED, SIDECAR_ONLY, () -> watch(key.getToken()));
    }

    @Test
    void restrictedAdminWithIdentitiesAndReporting_readsKeysMembersAudit_notProjects_writesNothing() {
        CreateKeyResponse key = admin("auditor", Map.of("identities", AccessLevel.ACCESS_LEVEL_READ,
                "reporting", AccessLevel.ACCESS_LEVEL_WRITE));
        var stub = h.as(key.getToken());
        assertEquals(3, stub.listKeys(ListKeysRequest.getDefaultInstance()).getKeysCount());
        stub.getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(otherKeyId).build());
        stub.listMembers(ListMembersRequest.getDefaultInstance());
        stub.listAuditRecords(ListAuditRecordsRequest.getDefaultInstance());
        assertStatus(Status.Code.PERMISSION_DENIED, SIDECAR_ONLY, () -> watch(key.getToken()));
        assertStatus(Status.Code.PERMISSION_DENIED, "without read on projects; this read needs projects=read",
                () -> stub.listProjects(ListProjectsRequest.getDefaultInstance()));
        assertStatus(Status.Code.PERMISSION_DENIED, "may only read",
                () -> stub.disableKey(DisableKeyRequest.newBuilder().setKeyId(otherKeyId).build()));
    }

    @Test
    void readOnlyAdmin_readsEverything() {
        String token = h.admin().createKey(CreateKeyRequest.newBuilder().setName("reader").setKind(KeyKind.KEY_KIND_ADMIN)
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setPermissions(Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY)).build())
                .getToken();
        var stub = h.as(token);
        stub.listProjects(ListProjectsRequest.getDefaultInstance());
        stub.listKeys(ListKeysRequest.getDefaultInstance());
        stub.getKey(GetKeyRequest.newBuilder().setKeyId(otherKeyId).build());
        stub.getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(otherKeyId).build());
        stub.listMembers(ListMembersRequest.getDefaultInstance());
        assertEquals(true, stub.listAuditRecords(ListAuditRecordsRequest.getDefaultInstance()).getRecordsCount() > 0);
        assertStatus(Status.Code.PERMISSION_DENIED, SIDECAR_ONLY, () -> watch(token));
    }

    private CreateKeyResponse admin(String name, Map<String, AccessLevel> levels) {
        return h.admin().createKey(CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_ADMIN)
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setPermissions(Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)
                        .putAllResources(levels)).build());
    }

    /** Watch is not a read of the admin API: it takes the sidecar role, whatever an admin key reads. */
    private static final String SIDECAR_ONLY = "replication and sidecar reports need a sidecar credential";

    /** Opens a Watch as {@code token} and reads its first event (the snapshot's start). */
    private void watch(String token) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", h.controlPlane.port()).usePlaintext().build();
        try {
            Metadata md = new Metadata();
            md.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
            var events = ReplicationServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .watch(WatchRequest.getDefaultInstance());
            events.next();
        } finally {
            channel.shutdownNow();
        }
    }
}
