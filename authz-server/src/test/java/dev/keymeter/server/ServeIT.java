package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
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
    private static final Pattern AUTHZ_LINE = Pattern.compile("ext_authz\\s+: 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path work;

    /** A running {@code keymeter serve}, its stdout collected line by line. */
    private static final class Serve implements AutoCloseable {
        final Process process;
        final List<String> lines = new ArrayList<>();
        final BufferedReader out;

        Serve(Path work) throws IOException {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", ChildJvm.jar().toString(), "serve", "--admin-addr", "127.0.0.1:0",
                    "--authz-addr", "127.0.0.1:0");
            ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().remove("JDK_JAVA_OPTIONS");
            pb.environment().remove("KEYMETER_DATA_DIR");
            process = pb.start();
            process.getOutputStream().close();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Reads stdout until a line contains {@code marker} (the process prints it once ready). */
        String readUntil(String marker) throws IOException {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.contains(marker)) {
                    return String.join("\n", lines);
                }
            }
            throw new AssertionError("serve ended before printing '" + marker + "':\n" + String.join("\n", lines));
        }

        int port() {
            return port(ADMIN_LINE);
        }

        int authzPort() {
            return port(AUTHZ_LINE);
        }

        int port(Pattern line) {
            for (String l : lines) {
                Matcher m = line.matcher(l);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            throw new AssertionError("no admin API line in:\n" + String.join("\n", lines));
        }

        /** SIGTERM, then the rest of stdout and the exit code. */
        int terminate() throws Exception {
            process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of stdout
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "serve did not stop within 30 s of SIGTERM");
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private ChildJvm.Result cli(int port, String adminKey, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--addr=127.0.0.1:" + port);
        all.add("--admin-key=" + adminKey);
        ChildJvm.Result r = ChildJvm.runJar(work, List.of(), all.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::describe);
        return r;
    }

    private static String find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), () -> "no " + p + " in:\n" + text);
        return m.group();
    }

    @Test
    void serve_defaults_bootstrapOnce_cliFlow_checkFollowsRevocation_gracefulStop() throws Exception {
        String adminKey;
        try (Serve first = new Serve(work)) {
            String banner = first.readUntil("Press Ctrl-C");
            assertTrue(banner.contains("data directory : " + work.resolve("data").toRealPath()), banner);
            adminKey = find(TOKEN, banner);
            assertTrue(adminKey.startsWith("kma_"));
            Path keyFile = work.resolve("data/bootstrap-admin-key");
            assertEquals(adminKey, Files.readString(keyFile).strip());
            int port = first.port();

            cli(port, adminKey, "projects", "create", "payments");
            String created = cli(port, adminKey, "keys", "create", "--project", "payments", "--name", "ci-bot",
                    "--allow", "chat_completions=write", "--cost-limit-usd", "25", "--token-limit", "1000000",
                    "--rpm", "60", "--reset", "monthly").stdout();
            String keyId = find(KEY_ID, created);
            String token = find(TOKEN, created);
            try (EnvoyCheck envoy = new EnvoyCheck(first.authzPort())) {
                envoy.awaitServing();
                assertEquals(200, envoy.awaitStatus(token, "POST", "/v1/chat/completions", 200));
                assertEquals(403, envoy.check(token, "GET", "/v1/datasets"));
                cli(port, adminKey, "keys", "revoke", keyId, "--yes");
                assertEquals(401, envoy.awaitStatus(token, "POST", "/v1/chat/completions", 401));
            }
            String table = cli(port, adminKey, "keys", "list", "--project", "payments").stdout();
            assertTrue(table.lines().anyMatch(l -> l.startsWith(keyId) && l.contains("Restricted")), table);
            assertTrue(cli(port, adminKey, "keys", "get", keyId).stdout().contains("Revoked"));

            assertEquals(143, first.terminate(), "SIGTERM ends the JVM with 128+15 after the shutdown hook");
            assertTrue(first.lines.contains("keymeter: stopped"), String.join("\n", first.lines));
        }
        try (Serve second = new Serve(work)) {
            String banner = second.readUntil("Press Ctrl-C");
            assertFalse(banner.contains(adminKey), "the bootstrap key is printed only once");
            assertFalse(TOKEN.matcher(banner).find(), banner);
            assertTrue(banner.contains("still holds the bootstrap admin key"), banner);
            String table = cli(second.port(), adminKey, "keys", "list").stdout();
            assertTrue(table.contains("ci-bot"), "data survived the restart:\n" + table);
            second.terminate();
        }
    }
}
