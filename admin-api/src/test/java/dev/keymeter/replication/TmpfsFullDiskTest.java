package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import com.google.protobuf.util.Timestamps;
import dev.keymeter.proto.replication.v1.KeyLastUsed;
import dev.keymeter.proto.replication.v1.LastUsedReport;
import dev.keymeter.proto.replication.v1.WatchEvent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control plane whose data directory is on a small tmpfs that fills up for real (ENOSPC, SQLite's
 * SQLITE_FULL): creates are refused RESOURCE_EXHAUSTED naming the full disk, a revocation still
 * commits (from the space of the disk reserve) and reaches a Watch stream, and creates work again
 * once space returns, which also brings the reserve back. Mounting needs root; where the machine
 * does not allow it, the test is skipped ({@code FullDiskTest} covers the refusal with a page cap).
 */
class TmpfsFullDiskTest {

    private static final long RESERVE = 1L << 20;

    @TempDir
    Path dir;
    private Path disk;
    private boolean mounted;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        disk = Files.createDirectories(dir.resolve("disk"));
        mounted = run("mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", disk.toString()) == 0;
        assumeTrue(mounted, "mounting a tmpfs is not permitted here (needs root)");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", "-l", disk.toString());
        }
    }

    @Test
    void revokeKey_diskFull_commitsFromTheReserveAndReachesWatch_createsResumeWhenSpaceReturns() throws Exception {
        ReplicationSettings quiet = ReplicationSettings.defaults().withHeartbeatInterval(Duration.ofMinutes(10));
        Path data = disk.resolve("data");
        try (ReplicationHarness h = new ReplicationHarness(data, quiet, null, null, c -> c.withDiskReserve(RESERVE))) {
            h.project("payments");
            String compromised = h.serviceKey("payments", "compromised").getKey().getId();
            String sidecarToken = h.sidecarCredential("sidecar-1").getToken();
            WatchRecorder w = h.watch(h.currentRevision());
            w.next(); // up to date
            Path reserve = data.resolve("disk-reserve");
            assertEquals(RESERVE, Files.size(reserve));
            Path filler = disk.resolve("filler");
            fill(filler);

            StatusRuntimeException refused = null;
            for (int i = 0; i < 2_000 && refused == null; i++) { // the WAL may have room for a few first
                try {
                    h.serviceKey("payments", "while-full-" + i);
                } catch (StatusRuntimeException e) {
                    refused = e;
                }
            }
            assertNotNull(refused, "the disk never filled");
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode(), refused.getStatus()::toString);
            assertTrue(refused.getStatus().getDescription().contains("disk is full"), refused.getStatus()::getDescription);

            h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(compromised).build());

            WatchEvent revoked = w.nextNotHeartbeat();
            while (!revoked.getChange().getUpsert().getKeyId().equals(compromised)) { // creates that fitted first
                revoked = w.nextNotHeartbeat();
            }
            assertEquals(KeyStatus.KEY_STATUS_REVOKED, revoked.getChange().getUpsert().getStatus());
            assertFalse(Files.exists(reserve), "the reserve gave its room to the revocation");
            StatusRuntimeException stillFull = assertThrows(StatusRuntimeException.class,
                    () -> h.serviceKey("payments", "still-full"));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, stillFull.getStatus().getCode());
            LastUsedReport lastUsed = LastUsedReport.newBuilder().addKeys(KeyLastUsed.newBuilder()
                    .setKeyId(compromised).setLastUsedTime(Timestamps.fromMillis(h.clock.millis()))).build();
            StatusRuntimeException notRecorded = assertThrows(StatusRuntimeException.class,
                    () -> h.reports(sidecarToken).reportLastUsed(lastUsed));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, notRecorded.getStatus().getCode(), "the reserve is for revocations");

            Files.delete(filler);
            assertEquals("after", h.serviceKey("payments", "after").getKey().getName());
            assertEquals(RESERVE, Files.size(reserve), "the reserve is back once space returned");
            assertEquals(1, h.reports(sidecarToken).reportLastUsed(lastUsed).getRecorded());
        }
    }

    /** Writes zeros until the disk says it is full. */
    private static void fill(Path filler) throws IOException {
        byte[] chunk = new byte[16 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full::toString);
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
