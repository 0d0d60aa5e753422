package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user gets it: keymeter-VERSION.tar.gz unpacked, {@code bin/keymeter version},
 * {@code bin/keymeter serve} with the shipped example route and price tables until {@code /readyz}
 * says 200, {@code bin/keymeter keys list} against it, and a clean stop on SIGTERM sent to the
 * launcher's process id (the launcher execs, so that id is the JVM's).
 */
class DistributionIT {

    private static final Pattern TOKEN = Pattern.compile("kma_[0-9A-Za-z]{36}");
    private static final Pattern ADMIN_LINE = Pattern.compile("admin API\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern AUTHZ_LINE = Pattern.compile("ext_authz\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern KEY_TOKEN = Pattern.compile("km[aus]_[0-9A-Za-z]{36}");
    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");
    private static final Pattern METRICS_LINE = Pattern.compile("metrics\\s+: 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path work;

    @Test
    void launcher_version_printsTheBuildsVersion() throws Exception {
        Distribution dist = Distribution.unpack(work);
        ChildJvm.Result r = dist.run(work, Map.of(), "version");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("keymeter " + Distribution.version(), r.stdout().strip());
    }

    @Test
    void launcher_serveKeysListSigterm_readyListsAndStopsCleanly() throws Exception {
        Distribution dist = Distribution.unpack(work);
        Path config = dist.home.resolve("config");
        try (RunningProcess serve = dist.start(work, work.resolve("serve.err"), "serve",
                "--admin-addr", "127.0.0.1:0", "--authz-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
                "--route-table", config.resolve("routes.example.json").toString(),
                "--prices", config.resolve("prices.example.json").toString())) {
            String banner = serve.readUntil("Press Ctrl-C");
            assertTrue(banner.contains("runtime        : ") && banner.contains("(tuned)"), banner);
            assertTrue(serve.process.info().command().orElseThrow().endsWith("/java"),
                    "the launcher execs java: " + serve.process.info().command());
            awaitReady(serve.port(METRICS_LINE));

            String adminKey = JarCli.find(TOKEN, banner);
            ChildJvm.Result list = dist.run(work, Map.of("KEYMETER_ADMIN_KEY", adminKey),
                    "keys", "list", "--addr", "127.0.0.1:" + serve.port(ADMIN_LINE));
            assertEquals(0, list.exitCode(), list::describe);
            assertTrue(list.stdout().contains("bootstrap"), list::describe);
            checkCommandExplainsDecisions(dist, serve.port(ADMIN_LINE), adminKey, serve.port(AUTHZ_LINE));

            assertEquals(143, serve.terminate(), "SIGTERM ends the JVM with 128+15 after the shutdown hook");
            assertTrue(serve.lines.contains("keymeter: stopped"), String.join("\n", serve.lines));
            String err = Files.readString(work.resolve("serve.err"));
            assertTrue(err.lines().noneMatch(l -> l.contains("Exception")), err);
        }
    }

    /**
     * {@code bin/keymeter check} against the running sidecar: an allowed request with the key's
     * budgets, a refusal with its precise reason (text and JSON), a request without a key, the token
     * from stdin, and never the token in the output.
     */
    private void checkCommandExplainsDecisions(Distribution dist, int adminPort, String adminKey, int authzPort)
            throws Exception {
        Map<String, String> admin = Map.of("KEYMETER_ADMIN_KEY", adminKey);
        String addr = "--addr=127.0.0.1:" + adminPort;
        assertEquals(0, dist.run(work, admin, "projects", "create", "payments", addr).exitCode());
        ChildJvm.Result created = dist.run(work, admin, "keys", "create", "--project", "payments", "--name", "bot",
                "--allow", "chat_completions=write", "--rpm", "60", "--cost-limit-usd", "25", addr);
        assertEquals(0, created.exitCode(), created::describe);
        String token = JarCli.find(KEY_TOKEN, created.stdout());
        String keyId = JarCli.find(KEY_ID, created.stdout());
        String sidecar = "--addr=127.0.0.1:" + authzPort;
        Files.writeString(work.resolve("chat.json"), "{\"model\":\"gpt-4o\",\"max_tokens\":100,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        ChildJvm.Result allowed = awaitCheck(dist, Map.of("KEYMETER_TOKEN", token), 0, "check", sidecar,
                "--method", "POST", "--path", "/v1/chat/completions", "--header", "content-type=application/json",
                "--body", work.resolve("chat.json").toString());
        assertTrue(allowed.stdout().contains("decision  : allowed"), allowed::describe);
        assertTrue(allowed.stdout().contains("status    : 200"), allowed::describe);
        assertTrue(allowed.stdout().contains("x-keymeter-key-id: " + keyId), allowed::describe);
        assertTrue(allowed.stdout().contains("x-ratelimit-limit-requests: 60"), allowed::describe);
        assertTrue(allowed.stdout().contains("x-ratelimit-remaining-requests: "), allowed::describe);

        ChildJvm.Result denied = dist.runWithStdin(work, Map.of(), token + "\n", "check", sidecar, "--token-stdin",
                "--path", "/v1/datasets", "--output", "json");
        assertEquals(4, denied.exitCode(), denied::describe);
        var json = com.google.gson.JsonParser.parseString(denied.stdout()).getAsJsonObject();
        assertEquals("denied", json.get("decision").getAsString(), denied::describe);
        assertEquals(403, json.get("http_status").getAsInt(), denied::describe);
        assertEquals(keyId, json.getAsJsonObject("metadata").get("key_id").getAsString(), denied::describe);
        assertTrue(!json.get("reason").getAsString().isEmpty() && !json.get("message").getAsString().isEmpty(),
                denied::describe);

        ChildJvm.Result anonymous = dist.run(work, Map.of(), "check", sidecar, "--path", "/v1/models");
        assertEquals(4, anonymous.exitCode(), anonymous::describe);
        assertTrue(anonymous.stdout().contains("status    : 401"), anonymous::describe);
        for (ChildJvm.Result r : java.util.List.of(allowed, denied, anonymous)) {
            assertTrue(!r.stdout().contains(token) && !r.stderr().contains(token), "no token in output");
        }
    }

    /** Runs {@code check} until it exits {@code expected}: the new key reaches the replica asynchronously. */
    private ChildJvm.Result awaitCheck(Distribution dist, Map<String, String> env, int expected, String... args)
            throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        ChildJvm.Result r;
        do {
            r = dist.run(work, env, args);
        } while (r.exitCode() != expected && Instant.now().isBefore(deadline));
        assertEquals(expected, r.exitCode(), r::describe);
        return r;
    }

    /** Polls /readyz until it answers 200; fails after 60 s. */
    static void awaitReady(int metricsPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/readyz"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plusSeconds(60);
        int status = 0;
        while (Instant.now().isBefore(deadline)) {
            status = http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("/readyz still answered " + status + " after 60 s");
    }
}
