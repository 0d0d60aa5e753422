package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may watch: admin keys of any preset; nobody else. */
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
        assertTrue(status.getDescription().contains("admin key"), status::getDescription);
    }

    @Test
    void watch_readOnlyAdminKey_isServed() {
        String sidecarToken = h.readOnlyAdminKey("sidecar").getToken();

        WatchRecorder w = h.watch(sidecarToken, 0, false);

        assertEquals(h.currentRevision(), w.next().getSnapshotBegin().getRevision());
    }

    @Test
    void watch_negativeAppliedRevision_isInvalidArgument() {
        Status status = h.watch(h.adminToken, -1, false).awaitEnd();

        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
        assertTrue(status.getDescription().startsWith("applied_revision"), status::getDescription);
    }
}
