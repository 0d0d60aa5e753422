package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.logging.LogLines;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC adapter: an error only when no decision is possible. */
class CheckServiceTest {

    @TempDir
    Path dir;

    @Test
    void check_beforeReplicaLoads_isUnavailableThenDecidesOnceLoaded() throws InterruptedException {
        try (CheckHarness h = new CheckHarness(dir, CheckSettings.defaults(), false)) {
            String token = TestKeys.userToken();
            h.add(TestKeys.projectKey("key_1", token));
            var e = assertThrows(StatusRuntimeException.class,
                    () -> h.check(Requests.bearer("POST", "/v1/embeddings", token)));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
            assertEquals("not ready", h.listener.last());
            assertEquals(0, h.replica.lookups());

            h.replica.beginSnapshot(2);
            h.add(TestKeys.projectKey("key_1", token));
            h.replica.endSnapshot(2);
            assertEquals(true, h.check(Requests.bearer("POST", "/v1/embeddings", token)).hasOkResponse());
        }
    }

    @Test
    void check_replicaUnreadable_isInternalWithoutDetails() throws InterruptedException {
        try (CheckHarness h = new CheckHarness(dir)) {
            h.replica.failLookups(true);
            var e = assertThrows(StatusRuntimeException.class,
                    () -> h.check(Requests.bearer("POST", "/v1/embeddings", TestKeys.userToken())));
            assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
            assertEquals("authorization failed", e.getStatus().getDescription());
            assertEquals("failed replica unreadable (test)", h.listener.last());
        }
    }

    @Test
    void check_internal_isLoggedAtMostOncePerInterval_withoutTheMessage() throws InterruptedException {
        try (CheckHarness h = new CheckHarness(dir); LogLines log = new LogLines("keymeter.check")) {
            h.replica.failLookups(true);
            String token = TestKeys.userToken();
            for (int i = 0; i < 5; i++) {
                assertThrows(StatusRuntimeException.class, () -> h.check(Requests.bearer("POST", "/v1/embeddings", token)));
            }
            List<String> lines = log.lines();
            assertEquals(1, lines.size(), "one line per " + CheckFailureLog.INTERVAL_MILLIS + " ms: " + lines);
            assertTrue(lines.get(0).startsWith("Check failed (gRPC INTERNAL): java.lang.IllegalStateException at "
                    + CountingReplica.class.getName()), lines.get(0));
            assertFalse(lines.get(0).contains("replica unreadable"), "never the message: it could quote a request");
            assertFalse(lines.get(0).contains(token));
        }
    }

    @Test
    void check_denial_completesWithResponseNotError() throws InterruptedException {
        try (CheckHarness h = new CheckHarness(dir)) {
            var r = h.check(Requests.bearer("POST", "/v1/embeddings", "sk-nobody-has-this-key"));
            assertEquals(401, Answers.httpStatus(r));
        }
    }
}
