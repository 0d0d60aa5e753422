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
        List<AutoCloseable> open = new ArrayList<>();
        try {
            ControlPlanes cps = startTwo(open);
            RunningProcess a = cps.a();
            String adminKey = cps.adminKey();
            int portA = cps.portA();
            int portB = cps.portB();
            String both = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
            Following sidecar = startSidecar(open, both, adminKey);
            assertTrue(sidecar.banner().contains("127.0.0.1:" + portA + ", 127.0.0.1:" + portB), sidecar.banner());
            EnvoyCheck envoy = sidecar.envoy();
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

    /**
     * 1,000 keys created through each control plane at once arrive at a sidecar following one of them:
     * every one is allowed there, and the replica holds exactly as many keys as the store lists.
     */
    @Test
    void concurrentCreatesThroughBoth_reachTheSidecar_whoseReplicaMatchesTheKeyList() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            ControlPlanes cps = startTwo(open);
            String adminKey = cps.adminKey();
            Following sidecar = startSidecar(open, "127.0.0.1:" + cps.portB(), adminKey);
            EnvoyCheck envoy = sidecar.envoy();
            AdminStub viaA = new AdminStub(cps.portA(), adminKey);
            AdminStub viaB = new AdminStub(cps.portB(), adminKey);
            open.add(viaA);
            open.add(viaB);
            viaA.createProject("payments");

            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            List<String> tokens = new ArrayList<>();
            try {
                var fromA = pool.submit(() -> viaA.createKeys("payments", "a-", 1_000));
                var fromB = pool.submit(() -> viaB.createKeys("payments", "b-", 1_000));
                tokens.addAll(fromA.get(300, java.util.concurrent.TimeUnit.SECONDS));
                tokens.addAll(fromB.get(300, java.util.concurrent.TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
            }
            assertEquals(200, envoy.awaitStatus(tokens.get(999), "POST", "/v1/chat/completions", 200));
            assertEquals(200, envoy.awaitStatus(tokens.get(1_999), "POST", "/v1/chat/completions", 200));
            long listed = viaA.countKeys();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (replicaKeys(sidecar.process()) != listed && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(listed, replicaKeys(sidecar.process()), "the replica holds what keys list shows");
            int allowed = 0;
            for (String token : tokens) {
                allowed += envoy.check(token, "POST", "/v1/chat/completions") == 200 ? 1 : 0;
            }
            assertEquals(2_000, allowed, "every key created through either control plane is allowed");
            System.out.printf(Locale.ROOT, "two control planes, 1,000 creates through each: all %d allowed at the"
                    + " sidecar, replica keys %d = keys listed%n", allowed, listed);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    /** Two control-plane processes on a new database of the shared PostgreSQL, and the admin key the first bootstrapped. */
    private record ControlPlanes(RunningProcess a, RunningProcess b, String adminKey, int portA, int portB) {
    }

    /**
     * Starts {@link ControlPlanes} (each added to {@code open}): both banners name the store, and only
     * the first start bootstraps an admin key.
     */
    private ControlPlanes startTwo(List<AutoCloseable> open) throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String jdbc = pg.createDatabase();
        String store = "postgresql://" + PostgresServer.USER + "@127.0.0.1:" + pg.port() + "/"
                + jdbc.substring(jdbc.lastIndexOf('/') + 1, jdbc.indexOf('?'));
        RunningProcess a = new RunningProcess(work, "control-plane", "--data-dir", "a", "--admin-addr", "127.0.0.1:0",
                "--metrics-addr", "127.0.0.1:0", "--store", store);
        open.add(a);
        String bannerA = a.readUntil("Press Ctrl-C");
        assertTrue(bannerA.contains("store          : " + store), bannerA);
        RunningProcess b = new RunningProcess(work, "control-plane", "--data-dir", "b", "--admin-addr", "127.0.0.1:0",
                "--metrics-addr", "127.0.0.1:0", "--store", store);
        open.add(b);
        String bannerB = b.readUntil("Press Ctrl-C");
        assertFalse(TOKEN.matcher(bannerB).find(), "the store was bootstrapped once, by the first:\n" + bannerB);
        return new ControlPlanes(a, b, JarCli.find(TOKEN, bannerA), a.port(ADMIN_LINE), b.port(ADMIN_LINE));
    }

    /** A {@code keymeter sidecar} process following {@code controlPlanes}, serving. */
    private record Following(RunningProcess process, EnvoyCheck envoy, String banner) {
    }

    /** Follows {@code controlPlanes} with a sidecar credential created through the first of them. */
    private Following startSidecar(List<AutoCloseable> open, String controlPlanes, String adminKey) throws Exception {
        int firstPort = Integer.parseInt(controlPlanes.split(",")[0].split(":")[1]);
        String sidecarKey = JarCli.sidecarCredential(work, firstPort, adminKey, "shared-store-sidecar");
        RunningProcess sidecar = new RunningProcess(work, "sidecar", "--data-dir", "sidecar", "--authz-addr",
                "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--control-plane", controlPlanes,
                "--control-plane-key", sidecarKey);
        open.add(sidecar);
        String banner = sidecar.readUntil("Press Ctrl-C");
        EnvoyCheck envoy = new EnvoyCheck(sidecar.port(AUTHZ_LINE));
        open.add(envoy);
        envoy.awaitServing();
        return new Following(sidecar, envoy, banner);
    }

    /** The sidecar's {@code keymeter_replica_keys} gauge. */
    private static long replicaKeys(RunningProcess sidecar) throws Exception {
        int port = sidecar.port(Pattern.compile("metrics\\s+: 127\\.0\\.0\\.1:(\\d+)"));
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith("keymeter_replica_keys ")).mapToLong(
                l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
    }

    /** The admin API of one control plane over gRPC, as tooling calls it. */
    private static final class AdminStub implements AutoCloseable {
        private final io.grpc.ManagedChannel channel;
        private final dev.keymeter.proto.admin.v1.AdminServiceGrpc.AdminServiceBlockingStub stub;

        AdminStub(int port, String adminKey) {
            channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            io.grpc.Metadata md = new io.grpc.Metadata();
            md.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + adminKey);
            stub = dev.keymeter.proto.admin.v1.AdminServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(md));
        }

        void createProject(String id) {
            stub.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS).createProject(
                    dev.keymeter.proto.admin.v1.CreateProjectRequest.newBuilder().setProjectId(id).build());
        }

        List<String> createKeys(String project, String prefix, int n) {
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tokens.add(stub.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS).createKey(
                        dev.keymeter.proto.admin.v1.CreateKeyRequest.newBuilder().setName(prefix + i)
                                .setKind(dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_PROJECT).setProjectId(project)
                                .setOwnerType(dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build())
                        .getToken());
            }
            return tokens;
        }

        /** Every key, in any status, as ListKeys pages them, but sidecar credentials (never replicated). */
        long countKeys() {
            long n = 0;
            String page = "";
            do {
                var r = stub.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS).listKeys(
                        dev.keymeter.proto.admin.v1.ListKeysRequest.newBuilder().setPageSize(1000).setPageToken(page)
                                .build());
                n += r.getKeysList().stream()
                        .filter(k -> k.getKind() != dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_SIDECAR).count();
                page = r.getNextPageToken();
            } while (!page.isEmpty());
            return n;
        }

        @Override
        public void close() {
            channel.shutdownNow();
        }
    }

    @Test
    void createThroughOneControlPlane_revokeThroughTheOther_theSidecarOfTheSecondEnforcesBoth() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            ControlPlanes cps = startTwo(open);
            String adminKey = cps.adminKey();
            int portA = cps.portA();
            int portB = cps.portB();
            EnvoyCheck envoy = startSidecar(open, "127.0.0.1:" + portB, adminKey).envoy();

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
