package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real deployment's shape through the real jar: {@code keymeter control-plane} and {@code keymeter
 * sidecar} as separate processes. The sidecar keeps answering from its replica while the control
 * plane is down, and catches up with a revocation made after the control plane restarts.
 */
class SidecarIT {

    private static final Pattern TOKEN = Pattern.compile("km[aus]_[0-9A-Za-z]{36}");
    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");
    private static final Pattern ADMIN_LINE = Pattern.compile("admin API\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern AUTHZ_LINE = Pattern.compile("ext_authz\\s+: 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path work;



    private RunningProcess controlPlane(String addr) throws Exception {
        RunningProcess cp = new RunningProcess(work, "control-plane", "--data-dir", "cp", "--admin-addr", addr,
                "--metrics-addr", "127.0.0.1:0");
        cp.readUntil("Press Ctrl-C");
        return cp;
    }

    /** The sidecar credential writes the sidecar reports: the key's last use reaches the control plane. */
    private void awaitLastUsedReported(int adminPort, String adminKey, String keyId) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        String shown;
        do {
            Thread.sleep(500);
            shown = JarCli.run(work, adminPort, adminKey, "keys", "get", keyId);
        } while (shown.contains("never seen") && System.nanoTime() < deadline);
        assertTrue(shown.lines().anyMatch(l -> l.startsWith("Last used") && !l.contains("never seen")), shown);
    }

    @Test
    void sidecar_servesWhileControlPlaneIsDown_andCatchesUpAfterItRestarts() throws Exception {
        RunningProcess cp = controlPlane("127.0.0.1:0");
        try {
            String adminKey = JarCli.find(TOKEN, String.join("\n", cp.lines));
            int adminPort = cp.port(ADMIN_LINE);
            JarCli.run(work, adminPort, adminKey, "projects", "create", "payments");
            String created = JarCli.run(work, adminPort, adminKey, "keys", "create", "--project", "payments", "--name", "svc");
            String token = JarCli.find(TOKEN, created);
            String keyId = JarCli.find(KEY_ID, created);
            String sidecarKey = JarCli.sidecarCredential(work, adminPort, adminKey, "ci-sidecar");

            try (RunningProcess sidecar = new RunningProcess(work, "sidecar", "--data-dir", "sidecar",
                    "--authz-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--control-plane", "127.0.0.1:" + adminPort,
                    "--control-plane-key", sidecarKey)) {
                sidecar.readUntil("Press Ctrl-C");
                try (EnvoyCheck envoy = new EnvoyCheck(sidecar.port(AUTHZ_LINE))) {
                    envoy.awaitServing();
                    assertEquals(200, envoy.awaitStatus(token, "POST", "/v1/chat/completions", 200));
                    awaitLastUsedReported(adminPort, adminKey, keyId);

                    assertEquals(143, cp.terminate());
                    assertEquals(200, envoy.check(token, "POST", "/v1/chat/completions"),
                            "last known good while the control plane is down");

                    cp = controlPlane("127.0.0.1:" + adminPort);
                    JarCli.run(work, adminPort, adminKey, "keys", "revoke", keyId, "--yes");
                    assertEquals(401, envoy.awaitStatus(token, "POST", "/v1/chat/completions", 401),
                            "the sidecar reconnected and applied the revocation");
                }
                assertEquals(143, sidecar.terminate());
                assertTrue(sidecar.lines.contains("keymeter: stopped"), String.join("\n", sidecar.lines));
            }
        } finally {
            cp.close();
        }
    }
}
