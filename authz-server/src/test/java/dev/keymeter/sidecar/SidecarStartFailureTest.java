package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keymeter.chronicle.ChronicleFiles;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start that fails at its last step (the metrics port is taken) leaves nothing behind: no
 * {@code keymeter-*} thread, no bound ext_authz port, no held replica or counter files (a second
 * start in the same data directory succeeds once the port is free).
 */
class SidecarStartFailureTest {

    @TempDir
    Path dir;
    /** A control plane that never answers: the replication client keeps retrying, as in production. */
    private ManagedChannel nowhere;

    @BeforeAll
    static void quietChronicle() {
        ChronicleFiles.disableAnalytics();
    }

    @BeforeEach
    void channel() {
        nowhere = InProcessChannelBuilder.forName("no-control-plane-" + System.nanoTime()).build();
    }

    @AfterEach
    void closeChannel() {
        nowhere.shutdownNow();
    }

    @Test
    void start_metricsPortTaken_closesEverythingItStarted() throws Exception {
        Set<String> threadsBefore = keymeterThreads();
        int authzPort = freePort();
        SidecarConfig config;
        try (ServerSocket metricsTaken = bindLoopback(0)) {
            config = SidecarConfig.defaults(dir.resolve("replica")).withPorts(authzPort, metricsTaken.getLocalPort());
            SidecarConfig failing = config;
            assertThrows(IOException.class, () -> Sidecar.start(failing, nowhere, ""));

            assertEquals(threadsBefore, awaitThreads(threadsBefore), "keymeter threads after a failed start");
            try (ServerSocket authzFree = bindLoopback(authzPort)) {
                assertEquals(authzPort, authzFree.getLocalPort(), "the ext_authz port is free again");
            }
        }
        try (Sidecar second = Sidecar.start(config.withPorts(0, 0), nowhere, "")) {
            assertEquals(0, second.replica().keyCount(), "the same replica files, opened again");
        }
    }

    private static ServerSocket bindLoopback(int port) throws IOException {
        return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = bindLoopback(0)) {
            return socket.getLocalPort();
        }
    }

    private static Set<String> keymeterThreads() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("keymeter-")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /** The keymeter threads once they equal {@code expected}, or after 5 s (a thread may take a moment to end). */
    private static Set<String> awaitThreads(Set<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Set<String> now = keymeterThreads();
        while (!now.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            now = keymeterThreads();
        }
        return now;
    }
}
