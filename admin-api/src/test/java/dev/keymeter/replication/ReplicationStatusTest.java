package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.GetReplicationStatusRequest;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.ReplicationStatus;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import dev.keymeter.proto.admin.v1.SidecarReplication;
import dev.keymeter.proto.replication.v1.UsageReport;
import dev.keymeter.store.StoreReader;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GetReplicationStatus on a real control plane: the applied revision sidecars send with their usage
 * reports is listed per sidecar id with its report time; a revision of another store counts as 0;
 * sidecars silent for over a minute drop out; a bad revision is refused naming the field; and the call
 * is a read of identities (project keys refused, read-only admins allowed).
 */
class ReplicationStatusTest {

    @TempDir
    Path dir;
    ReplicationHarness h;
    String sidecar;
    long storeId;

    @BeforeEach
    void start() throws Exception {
        h = new ReplicationHarness(dir);
        sidecar = h.sidecarCredential("gateway").getToken();
        h.project("payments");
        storeId = h.controlPlane.store().read(StoreReader::storeId);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private void report(String sidecarId, long revision, long fromStore) {
        h.reports(sidecar).reportUsage(UsageReport.newBuilder().setSidecarId(sidecarId)
                .setAppliedRevision(revision).setStoreId(fromStore).build());
    }

    private ReplicationStatus status() {
        return h.admin().getReplicationStatus(GetReplicationStatusRequest.getDefaultInstance());
    }

    @Test
    void status_afterReports_listsEachSidecarsAppliedRevisionAndReportTime() {
        Key key = h.serviceKey("payments", "svc").getKey();
        Key revoked = h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(key.getId()).build());
        assertEquals(h.currentRevision(), revoked.getRevision(), "the revocation's answer names its revision");
        report("gw-b", revoked.getRevision(), storeId);
        report("gw-a", revoked.getRevision() - 1, storeId);

        ReplicationStatus status = status();
        assertEquals(revoked.getRevision(), status.getRevision());
        assertEquals(2, status.getSidecarsCount());
        SidecarReplication a = status.getSidecars(0);
        assertEquals("gw-a", a.getSidecarId(), "listed by id");
        assertEquals(revoked.getRevision() - 1, a.getAppliedRevision());
        assertEquals(h.clock.instant().getEpochSecond(), a.getReportTime().getSeconds());
        assertEquals(revoked.getRevision(), status.getSidecars(1).getAppliedRevision());
    }

    @Test
    void status_revisionOfAnotherStore_countsAsNothingApplied() {
        report("gw-a", h.currentRevision(), storeId + 1);
        assertEquals(0, status().getSidecars(0).getAppliedRevision());
    }

    @Test
    void status_sidecarSilentOverAMinute_isNoLongerListed() {
        report("gw-a", h.currentRevision(), storeId);
        h.clock.advance(Duration.ofSeconds(50));
        report("gw-b", h.currentRevision(), storeId);
        h.clock.advance(Duration.ofSeconds(20));
        ReplicationStatus status = status();
        assertEquals(1, status.getSidecarsCount(), status.toString());
        assertEquals("gw-b", status.getSidecars(0).getSidecarId());
    }

    @Test
    void report_negativeRevision_isInvalidArgumentNamingTheField() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> report("gw-a", -1, storeId));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("applied_revision: "), e.getStatus().getDescription());
        assertEquals(0, status().getSidecarsCount(), "nothing recorded");
    }

    @Test
    void status_byProjectKey_isPermissionDenied_byReadOnlyAdmin_isAnswered() {
        String projectKey = h.serviceKey("payments", "other").getToken();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> h.admin(projectKey)
                .getReplicationStatus(GetReplicationStatusRequest.getDefaultInstance()));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        String readOnly = h.readOnlyAdminKey("reader").getToken();
        assertEquals(h.currentRevision(), h.admin(readOnly)
                .getReplicationStatus(GetReplicationStatusRequest.getDefaultInstance()).getRevision());
    }
}
