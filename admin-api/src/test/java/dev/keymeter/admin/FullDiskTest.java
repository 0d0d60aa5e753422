package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.ListKeysRequest;
import dev.keymeter.store.PageLimit;
import dev.keymeter.store.StoreReader;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes that fail because the store is full (SQLite's real SQLITE_FULL, from a page cap): the
 * caller hears RESOURCE_EXHAUSTED naming the full disk, not INTERNAL; the log names the directory
 * once, not once per call; nothing of the refused call is written; writes resume when space returns.
 */
class FullDiskTest {

    @TempDir
    Path dir;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private Handler handler;

    @BeforeEach
    void captureLogs() {
        handler = new StreamHandler(logs, new SimpleFormatter());
        Logger.getLogger("").addHandler(handler);
    }

    @AfterEach
    void releaseLogs() {
        Logger.getLogger("").removeHandler(handler);
    }

    @Test
    void createKey_storeFull_resourceExhaustedNamingTheDisk_nothingWritten_resumesWhenSpaceReturns() throws Exception {
        try (AdminHarness h = new AdminHarness(dir)) {
            h.project("payments");
            PageLimit.capAtCurrentSize(h.controlPlane.store());
            StatusRuntimeException refused = null;
            int created = 0;
            for (int i = 0; i < 5_000 && refused == null; i++) { // free pages inside the file go first
                try {
                    h.serviceKey("payments", "k" + i);
                    created++;
                } catch (StatusRuntimeException e) {
                    refused = e;
                }
            }
            assertNotNull(refused, "the store never filled");
            String failedName = "k" + created;
            long keys = h.controlPlane.store().read(StoreReader::keyCount);

            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode(),
                    refused.getStatus()::toString);
            assertTrue(refused.getStatus().getDescription().contains("disk is full"),
                    refused.getStatus()::getDescription);
            assertStatus(Status.Code.RESOURCE_EXHAUSTED, "disk is full", () -> h.serviceKey("payments", failedName));
            assertEquals(keys, h.controlPlane.store().read(StoreReader::keyCount), "a refused create wrote a key");
            assertFalse(names(h).contains(failedName));
            handler.flush();
            String log = logs.toString(StandardCharsets.UTF_8);
            assertEquals(1, log.split("disk is full: " + dir.toAbsolutePath(), -1).length - 1,
                    () -> "the log should name the full disk once:\n" + log);
            assertFalse(log.contains("commit failed\n"), log);

            PageLimit.lift(h.controlPlane.store());
            assertEquals(failedName, h.serviceKey("payments", failedName).getKey().getName());
        }
    }

    private static String names(AdminHarness h) {
        return h.admin().listKeys(ListKeysRequest.newBuilder().setPageSize(1000).build()).getKeysList().stream()
                .map(k -> k.getName()).toList().toString();
    }
}
