package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.store.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code keymeter control-plane} processes on one real PostgreSQL database and a
 * {@code keymeter sidecar}: a key created through one control plane is allowed at a sidecar that
 * follows the other, and a revocation made through the other is enforced there; a sidecar given both
 * addresses moves to the second when the first is killed with SIGKILL, and enforces a revocation made
 * after the kill. Only the first start bootstraps an admin key; both banners name the shared store.
 */
class SharedStoreIT {

    private static final Pattern TOKEN = Pattern.compile("km[aus]_[0-9A-Za-z]{36}");
    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");
    private static final Pattern ADMIN_LINE = Pattern.compile("admin API\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern AUTHZ_LINE = Pattern.compile("ext_authz\\s+: 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path work;

    @Test
    void controlPlaneTheSidecarFollowsKilled_sidecarMovesToTheOther_andEnforcesARevocationMadeAfter()
            throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String jdbc = pg.createDatabase();
        String database = jdbc.substring(jdbc.lastIndexOf('/') + 1, jdbc.indexOf('?'));
        String store = "postgresql://" + PostgresServer.USER + "@127.0.0.1:" + pg.port() + "/" + database;
        List<AutoCloseable> open = new ArrayList<>();
        try {
            RunningProcess a = new RunningProcess(work, "control-plane", "--data-dir", "a", "--admin-addr",
                    "127.0.0.1:0", "--store", store);
            open.add(a);
            String adminKey = JarCli.find(TOKEN, a.readUntil("Press Ctrl-C"));
            RunningProcess b = new RunningProcess(work, "control-plane", "--data-dir", "b", "--admin-addr",
                    "127.0.0.1:0", "--store", store);
            open.add(b);
            b.readUntil("Press Ctrl-C");
            int portA = a.port(ADMIN_LINE);
            int portB = b.port(ADMIN_LINE);
            String both = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
            RunningProcess sidecar = new RunningProcess(work, "sidecar", "--data-dir", "sidecar", "--authz-addr",
                    "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--control-plane", both,
                    "--control-plane-key", adminKey);
            open.add(sidecar);
            String banner = sidecar.readUntil("Press Ctrl-C");
            assertTrue(banner.contains("127.0.0.1:" + portA + ", 127.0.0.1:" + portB), banner);
            EnvoyCheck envoy = new EnvoyCheck(sidecar.port(AUTHZ_LINE));
            open.add(envoy);
            envoy.awaitServing();
            JarCli.run(work, portA, adminKey, "projects", "create", "payments");
            String created = JarCli.run(work, portA, adminKey, "keys", "create", "--project", "payments", "--name", "svc");
            String token = JarCli.find(TOKEN, created);
            String keyId = JarCli.find(KEY_ID, created);
            assertEquals(200, envoy.awaitStatus(token, "POST", "/v1/chat/completions", 200));

            a.process.destroyForcibly(); // SIGKILL: the control plane the sidecar follows (the first that answers)
            assertTrue(a.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            long killed = System.nanoTime();
            JarCli.run(work, portB, adminKey, "keys", "revoke", keyId, "--yes");
            assertEquals(401, envoy.awaitStatus(token, "POST", "/v1/chat/completions", 401),
                    "a revocation made through B after A was killed is enforced by A's former sidecar");
            System.out.printf(Locale.ROOT, "control plane killed under the sidecar: a revocation through the other"
                    + " was enforced %.0f ms after the kill%n", (System.nanoTime() - killed) / 1e6);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    @Test
    void createThroughOneControlPlane_revokeThroughTheOther_theSidecarOfTheSecondEnforcesBoth() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String jdbc = pg.createDatabase();
        String database = jdbc.substring(jdbc.lastIndexOf('/') + 1, jdbc.indexOf('?'));
        String store = "postgresql://" + PostgresServer.USER + "@127.0.0.1:" + pg.port() + "/" + database;
        List<AutoCloseable> open = new ArrayList<>();
        try {
            RunningProcess a = new RunningProcess(work, "control-plane", "--data-dir", "a", "--admin-addr",
                    "127.0.0.1:0", "--store", store);
            open.add(a);
            String bannerA = a.readUntil("Press Ctrl-C");
            assertTrue(bannerA.contains("store          : " + store), bannerA);
            String adminKey = JarCli.find(TOKEN, bannerA);
            RunningProcess b = new RunningProcess(work, "control-plane", "--data-dir", "b", "--admin-addr",
                    "127.0.0.1:0", "--store", store);
            open.add(b);
            String bannerB = b.readUntil("Press Ctrl-C");
            assertFalse(TOKEN.matcher(bannerB).find(), "the store was bootstrapped once, by the first:\n" + bannerB);
            int portA = a.port(ADMIN_LINE);
            int portB = b.port(ADMIN_LINE);

            RunningProcess sidecar = new RunningProcess(work, "sidecar", "--data-dir", "sidecar", "--authz-addr",
                    "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--control-plane", "127.0.0.1:" + portB,
                    "--control-plane-key", adminKey);
            open.add(sidecar);
            sidecar.readUntil("Press Ctrl-C");
            EnvoyCheck envoy = new EnvoyCheck(sidecar.port(AUTHZ_LINE));
            open.add(envoy);
            envoy.awaitServing();

            JarCli.run(work, portA, adminKey, "projects", "create", "payments");
            String created = JarCli.run(work, portA, adminKey, "keys", "create", "--project", "payments", "--name", "svc");
            String token = JarCli.find(TOKEN, created);
            String keyId = JarCli.find(KEY_ID, created);
            assertEquals(200, envoy.awaitStatus(token, "POST", "/v1/chat/completions", 200),
                    "a key created through control plane A is allowed at the sidecar of B");

            JarCli.run(work, portB, adminKey, "keys", "revoke", keyId, "--yes");
            long revoked = System.nanoTime();
            assertEquals(401, envoy.awaitStatus(token, "POST", "/v1/chat/completions", 401),
                    "a revocation through B is enforced");
            System.out.printf(Locale.ROOT, "two control planes on PostgreSQL: created through A, allowed at B's"
                    + " sidecar; revoked through B, denied %.0f ms after the CLI returned%n",
                    (System.nanoTime() - revoked) / 1e6);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }
}
