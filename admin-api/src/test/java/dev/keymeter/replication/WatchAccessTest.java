package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may watch: sidecar credentials, and (deprecated) admin keys with preset All; nobody else. A
 * sidecar credential is never part of what is replicated.
 */
class WatchAccessTest {

    @TempDir
    Path dir;
    ReplicationHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new ReplicationHarness(dir);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void watch_withoutAuthorization_isUnauthenticated() {
        Status status = h.watch(null, 0, false).awaitEnd();

        assertEquals(Status.Code.UNAUTHENTICATED, status.getCode());
    }

    @Test
    void watch_unknownToken_isUnauthenticated() {
        Status status = h.watch("kma_notARealTokenAtAll0000000000000000", 0, false).awaitEnd();

        assertEquals(Status.Code.UNAUTHENTICATED, status.getCode());
    }

    @Test
    void watch_projectKey_isPermissionDenied() {
        String projectToken = h.project("payments").getToken();

        Status status = h.watch(projectToken, 0, false).awaitEnd();

        assertEquals(Status.Code.PERMISSION_DENIED, status.getCode());
        assertTrue(status.getDescription().contains("sidecar credential"), status::getDescription);
    }

    @Test
    void watch_readOnlyAdminKey_isPermissionDenied() {
        String readOnly = h.readOnlyAdminKey("reader").getToken();

        Status status = h.watch(readOnly, 0, false).awaitEnd();

        assertEquals(Status.Code.PERMISSION_DENIED, status.getCode());
        assertTrue(status.getDescription().contains("keymeter sidecars create"), status::getDescription);
    }

    @Test
    void watch_sidecarCredential_isServed_andIsNotInTheSnapshot() {
        var sidecar = h.sidecarCredential("gateway-eu");
        assertTrue(sidecar.getToken().startsWith("kmc_"), "its own token prefix");
        h.project("payments");
        String projectKeyId = h.serviceKey("payments", "svc").getKey().getId();

        WatchRecorder w = h.watch(sidecar.getToken(), 0, false);

        var begin = w.next().getSnapshotBegin();
        assertEquals(h.currentRevision(), begin.getRevision());
        int stored = h.admin().listKeys(dev.keymeter.proto.admin.v1.ListKeysRequest.getDefaultInstance()).getKeysCount();
        assertEquals(stored - 1, begin.getRecordCount(), "every key but the credential");
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < begin.getRecordCount(); i++) {
            ids.add(w.next().getSnapshotRecord().getKeyId());
        }
        assertTrue(ids.contains(projectKeyId) && !ids.contains(sidecar.getKey().getId()), ids::toString);
        assertTrue(w.next().hasSnapshotEnd());
    }

    @Test
    void watch_adminKeyWithPresetAll_isStillServed() {
        WatchRecorder w = h.watch(h.adminToken, 0, false);

        assertEquals(h.currentRevision(), w.next().getSnapshotBegin().getRevision());
    }

    @Test
    void sidecarCredential_onTheAdminApi_isPermissionDenied() {
        String sidecar = h.sidecarCredential("gateway").getToken();

        io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.grpc.StatusRuntimeException.class, () -> h.admin(sidecar).listKeys(
                        dev.keymeter.proto.admin.v1.ListKeysRequest.getDefaultInstance()));

        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    }

    @Test
    void watch_revokedSidecarCredential_isUnauthenticated() {
        var sidecar = h.sidecarCredential("gateway");
        h.admin().revokeKey(dev.keymeter.proto.admin.v1.RevokeKeyRequest.newBuilder()
                .setKeyId(sidecar.getKey().getId()).build());

        assertEquals(Status.Code.UNAUTHENTICATED, h.watch(sidecar.getToken(), 0, false).awaitEnd().getCode());
        var audit = h.admin().listAuditRecords(
                dev.keymeter.proto.admin.v1.ListAuditRecordsRequest.newBuilder()
                        .setTarget("key/" + sidecar.getKey().getId()).build()).getRecordsList();
        assertTrue(audit.stream().anyMatch(r -> r.getAction().equals("CreateKey")), audit::toString);
        assertTrue(audit.stream().anyMatch(r -> r.getAction().equals("RevokeKey")), audit::toString);
    }

    @Test
    void watch_negativeAppliedRevision_isInvalidArgument() {
        Status status = h.watch(h.adminToken, -1, false).awaitEnd();

        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
        assertTrue(status.getDescription().startsWith("applied_revision"), status::getDescription);
    }
}
