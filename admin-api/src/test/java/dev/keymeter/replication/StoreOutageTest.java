package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.ListKeysRequest;
import dev.keymeter.store.PostgresServer;
import dev.keymeter.store.StoreSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control plane whose PostgreSQL goes away and comes back: admin calls fail with UNAVAILABLE (never
 * UNKNOWN or INTERNAL) while it is down, and work again once it is back, without a restart of the
 * control plane; what was acknowledged before is all there, nothing half-written.
 */
class StoreOutageTest {

    @TempDir
    Path dir;

    @Test
    void databaseDown_adminCallsAreUnavailable_thenRecoverByThemselves() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            StoreSpec store = new StoreSpec(null, pg.createDatabase(), null, null);
            try (ReplicationHarness cp = new ReplicationHarness(dir, ReplicationSettings.defaults()
                    .withHeartbeatInterval(Duration.ofMinutes(10)), store, null)) {
                cp.project("payments");
                cp.serviceKey("payments", "before");

                pg.kill();
                StatusRuntimeException write = assertThrows(StatusRuntimeException.class,
                        () -> cp.serviceKey("payments", "during"));
                assertEquals(Status.Code.UNAVAILABLE, write.getStatus().getCode(), write.toString());
                StatusRuntimeException read = assertThrows(StatusRuntimeException.class,
                        () -> cp.admin().listKeys(ListKeysRequest.newBuilder().setProjectId("payments").build()));
                assertEquals(Status.Code.UNAVAILABLE, read.getStatus().getCode(), read.toString());

                pg.restart();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (true) {
                    try {
                        cp.serviceKey("payments", "after");
                        break;
                    } catch (StatusRuntimeException stillDown) {
                        assertEquals(Status.Code.UNAVAILABLE, stillDown.getStatus().getCode(), stillDown.toString());
                        assertTrue(System.nanoTime() < deadline, "no recovery within 30 s of the restart");
                        Thread.sleep(200);
                    }
                }
                var names = cp.admin().listKeys(ListKeysRequest.newBuilder().setProjectId("payments").build())
                        .getKeysList().stream().map(k -> k.getName()).sorted().toList();
                assertTrue(names.containsAll(java.util.List.of("after", "before")), names.toString());
                assertTrue(!names.contains("during"), "a write refused while the database was down left nothing: "
                        + names);
            }
        }
    }
}
