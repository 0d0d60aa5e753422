package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's path, through the real jar: {@code keymeter serve} with its defaults (data under
 * ./data), the bootstrap key printed once, the CLI managing a key, a graceful stop on SIGTERM, and a
 * second start that prints no secret.
 */
class ServeIT {

    private static final Pattern TOKEN = Pattern.compile("km[aus]_[0-9A-Za-z]{36}");
    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");
    private static final Pattern ADMIN_LINE = Pattern.compile("admin API\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern METRICS_LINE = Pattern.compile("metrics\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern AUTHZ_LINE = Pattern.compile("ext_authz\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern CONSOLE_LINE = Pattern.compile("console\\s+: http://127\\.0\\.0\\.1:(\\d+)/console/");

    @TempDir
    Path work;

    private RunningProcess serve() throws IOException {
        return new RunningProcess(work, "serve", "--admin-addr", "127.0.0.1:0", "--authz-addr", "127.0.0.1:0",
                "--metrics-addr", "127.0.0.1:0");
    }

    private ChildJvm.Result cli(int port, String adminKey, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--addr=127.0.0.1:" + port);
        all.add("--admin-key=" + adminKey);
        ChildJvm.Result r = ChildJvm.runJar(work, List.of(), all.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::describe);
        return r;
    }

    /** {@code GET /v1/keys/{keyId}} on the HTTP listener, as JSON. */
    private static String jsonKey(int port, String adminKey, String keyId) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/v1/keys/" + keyId))
                        .header("Authorization", "Bearer " + adminKey).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        return r.body();
    }

    private static String scrape(int port) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }


    /**
     * serve writes an ingest token into the data directory (0600) and names the file; Report without it
     * is UNAUTHENTICATED and charges nothing, with it the usage is charged.
     */
    private void reportNeedsTheIngestTokenServeWrote(int authzPort, String keyId, String banner) throws Exception {
        Path file = work.resolve("data/ingest-token");
        assertTrue(banner.contains("ingest tokens  : " + file.toRealPath() + " (1 new token"), banner);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)));
        String ingestToken = Files.readAllLines(file).stream().filter(l -> l.startsWith("kmi_")).findFirst()
                .orElseThrow();
        assertFalse(banner.contains(ingestToken), "the ingest token stays in its file");
        io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", authzPort)
                .usePlaintext().build();
        try {
            var report = dev.keymeter.proto.usage.v1.ReportRequest.newBuilder().setRequestId("serve-it-1")
                    .setKeyId(keyId).setInputTokens(123).setCostMicroUsd(0).build();
            var stub = dev.keymeter.proto.usage.v1.UsageServiceGrpc.newBlockingStub(channel);
            io.grpc.StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    io.grpc.StatusRuntimeException.class, () -> stub.report(report));
            assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
            io.grpc.Metadata m = new io.grpc.Metadata();
            m.put(io.grpc.Metadata.Key.of("x-keymeter-ingest-token", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
                    ingestToken);
            assertTrue(stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(m))
                    .report(report).getCounted());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void serve_defaults_bootstrapOnce_cliFlow_checkFollowsRevocation_gracefulStop() throws Exception {
        String adminKey;
        try (RunningProcess first = serve()) {
            String banner = first.readUntil("Press Ctrl-C");
            assertTrue(banner.contains("data directory : " + work.resolve("data").toRealPath()), banner);
            adminKey = JarCli.find(TOKEN, banner);
            assertTrue(adminKey.startsWith("kma_"));
            Path keyFile = work.resolve("data/bootstrap-admin-key");
            assertEquals(adminKey, Files.readString(keyFile).strip());
            int port = first.port(ADMIN_LINE);

            cli(port, adminKey, "projects", "create", "payments");
            String created = cli(port, adminKey, "keys", "create", "--project", "payments", "--name", "ci-bot",
                    "--allow", "chat_completions=write", "--cost-limit-usd", "25", "--token-limit", "1000000",
                    "--rpm", "60", "--reset", "monthly").stdout();
            String keyId = JarCli.find(KEY_ID, created);
            String token = JarCli.find(TOKEN, created);
            try (EnvoyCheck envoy = new EnvoyCheck(first.port(AUTHZ_LINE))) {
                envoy.awaitServing();
                assertEquals(200, envoy.awaitStatus(token, "POST", "/v1/chat/completions", 200));
                assertEquals(403, envoy.check(token, "GET", "/v1/datasets"));
                reportNeedsTheIngestTokenServeWrote(first.port(AUTHZ_LINE), keyId, banner);
                cli(port, adminKey, "keys", "revoke", keyId, "--yes");
                assertEquals(401, envoy.awaitStatus(token, "POST", "/v1/chat/completions", 401));
            }
            assertTrue(jsonKey(first.port(CONSOLE_LINE), adminKey, keyId).contains("\"KEY_STATUS_REVOKED\""),
                    "the JSON API at the printed address sees what the CLI did");
            scrape(first.port(METRICS_LINE)); // every new per-key series reads 0 at its first scrape
            String scrape = scrape(first.port(METRICS_LINE));
            assertTrue(scrape.lines().anyMatch(l -> l.startsWith("keymeter_checks_total{decision=\"allowed\"")
                    && !l.endsWith(" 0.0")), scrape);
            assertTrue(scrape.contains("keymeter_key_requests_total{key_id=\"" + keyId + "\"}"), scrape);
            assertTrue(scrape.contains("keymeter_key_tokens_total{key_id=\"" + keyId + "\",type=\"input\"} 123.0"),
                    "charged once, with the token: " + scrape);
            assertTrue(scrape.contains(
                    "keymeter_usage_rejected_total{reason=\"unauthenticated\",source=\"report\"} 1.0"), scrape);
            assertFalse(scrape.contains(token), "no secret in metrics");
            String table = cli(port, adminKey, "keys", "list", "--project", "payments").stdout();
            assertTrue(table.lines().anyMatch(l -> l.startsWith(keyId) && l.contains("Restricted")), table);
            assertTrue(cli(port, adminKey, "keys", "get", keyId).stdout().contains("Revoked"));

            assertEquals(143, first.terminate(), "SIGTERM ends the JVM with 128+15 after the shutdown hook");
            assertTrue(first.lines.contains("keymeter: stopped"), String.join("\n", first.lines));
        }
        try (RunningProcess second = serve()) {
            String banner = second.readUntil("Press Ctrl-C");
            assertFalse(banner.contains(adminKey), "the bootstrap key is printed only once");
            assertFalse(TOKEN.matcher(banner).find(), banner);
            assertTrue(banner.contains("still holds the bootstrap admin key"), banner);
            assertTrue(banner.contains("ingest-token (1 accepted)"), "the token file is kept: " + banner);
            String table = cli(second.port(ADMIN_LINE), adminKey, "keys", "list").stdout();
            assertTrue(table.contains("ci-bot"), "data survived the restart:\n" + table);
            second.terminate();
        }
    }
}
