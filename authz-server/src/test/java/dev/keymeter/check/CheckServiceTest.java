package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
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
    void check_denial_completesWithResponseNotError() throws InterruptedException {
        try (CheckHarness h = new CheckHarness(dir)) {
            var r = h.check(Requests.bearer("POST", "/v1/embeddings", "sk-nobody-has-this-key"));
            assertEquals(401, Answers.httpStatus(r));
        }
    }
}
