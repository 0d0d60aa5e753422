package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing that leaves keymeter holds a token or a token's digest. A realistic run of the real jar —
 * a control plane (text logs) and a sidecar (JSON logs) as processes, CLI calls that create, rotate,
 * import, disable and revoke keys and are refused, Checks with good and bad tokens, scrapes of both
 * metrics ports, the audit log, {@code admin recover}, a {@code serve --bootstrap-key-file-only} —
 * collects every byte written to stdout, stderr and HTTP bodies, and greps it for every token the run
 * created and for each token's SHA-256 (hex, either case, and base64). The one exception is the line
 * that shows a new token once; each token is shown at most once. Afterwards every directory of the
 * data directories is 0700 and every file 0600.
 */
class SecretsInOutputIT {

    private static final Pattern TOKEN = Pattern.compile("km[aus]_[0-9A-Za-z]{36}");
    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");
    private static final Pattern ADMIN_LINE = Pattern.compile("admin API\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern AUTHZ_LINE = Pattern.compile("ext_authz\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern METRICS_LINE = Pattern.compile("metrics\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final String CHAT = "/v1/chat/completions";

    @TempDir
    Path work;

    /** Every token the run created or made up, and everything the run's processes put out. */
    private final Set<String> tokens = new LinkedHashSet<>();
    private final List<String> outputs = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aFullRun_putsNoTokenAndNoDigestInAnyOutput() throws Exception {
        RunningProcess cp = new RunningProcess(work, work.resolve("cp.err"), "control-plane", "--data-dir", "cp",
                "--admin-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0");
        RunningProcess sidecar = null;
        try {
            cp.readUntil("Press Ctrl-C");
            String admin = token(String.join("\n", cp.lines));
            int adminPort = cp.port(ADMIN_LINE);

            String projectOut = cli(adminPort, admin, "projects", "create", "payments");
            token(projectOut);
            String created = cli(adminPort, admin, "keys", "create", "--project", "payments", "--name", "svc",
                    "--rpm", "1000");
            String svc = token(created);
            String svcId = JarCli.find(KEY_ID, created);
            String doomed = cli(adminPort, admin, "keys", "create", "--project", "payments", "--name", "doomed");
            String doomedToken = token(doomed);
            String doomedId = JarCli.find(KEY_ID, doomed);
            String rotated = token(cli(adminPort, admin, "keys", "rotate", svcId, "--grace", "1h"));
            String legacy = "sk-legacy-" + TokenFormat.randomBase62(24);
            tokens.add(legacy);
            Path legacyFile = Files.writeString(work.resolve("legacy.txt"), legacy + "\n");
            cli(adminPort, admin, "keys", "import-legacy", "--token-file", legacyFile.toString(), "--name", "old",
                    "--project", "payments");

            sidecar = new RunningProcess(work, work.resolve("sidecar.err"), "sidecar", "--data-dir", "sidecar",
                    "--authz-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--log-format", "json",
                    "--control-plane", "127.0.0.1:" + adminPort, "--control-plane-key", admin);
            sidecar.readUntil("Press Ctrl-C");
            try (EnvoyCheck envoy = new EnvoyCheck(sidecar.port(AUTHZ_LINE))) {
                envoy.awaitServing();
                assertEquals(200, envoy.awaitStatus(rotated, "POST", CHAT, 200));
                assertEquals(200, envoy.check(svc, "POST", CHAT), "the rotated-out token, in its grace period");
                assertEquals(200, envoy.awaitStatus(legacy, "POST", CHAT, 200));
                cli(adminPort, admin, "keys", "revoke", doomedId, "--yes");
                assertEquals(401, envoy.awaitStatus(doomedToken, "POST", CHAT, 401));
                String unknown = made(TokenFormat.generate(TokenType.USER));
                assertEquals(401, envoy.check(unknown, "POST", CHAT));
                String badChecksum = made(unknown.substring(0, 39) + (unknown.endsWith("A") ? "B" : "A"));
                assertEquals(401, envoy.check(badChecksum, "POST", CHAT));
                assertEquals(401, envoy.check(made("not-a-keymeter-token-" + TokenFormat.randomBase62(20)), "GET",
                        "/v1/models"));
                assertEquals(403, envoy.check(rotated, "GET", "/v1/no-such-route"));
            }
            cli(adminPort, admin, "keys", "list", "--project", "payments");
            cli(adminPort, admin, "keys", "get", svcId);
            cli(adminPort, admin, "keys", "usage", svcId);
            cli(adminPort, admin, "keys", "disable", svcId);
            cli(adminPort, admin, "audit", "list", "--output", "json");
            cli(adminPort, admin, "keys", "list", "--output", "json");
            failingCli(adminPort, made(TokenFormat.generate(TokenType.ADMIN)), 4, "keys", "list");
            failingCli(adminPort, badChecksumOf(admin), 4, "keys", "list");
            String bootstrapId = JarCli.find(KEY_ID, String.join("\n", cp.lines));
            String refusal = failingCli(adminPort, admin, 5, "keys", "revoke", bootstrapId, "--yes");
            assertTrue(refusal.contains(bootstrapId + " is the last active admin key with preset All"), refusal);
            recover(adminPort);
            scrape(cp.port(METRICS_LINE), "/metrics", "/healthz", "/readyz");
            scrape(sidecar.port(METRICS_LINE), "/metrics", "/healthz", "/readyz");

            assertEquals(143, sidecar.terminate());
            assertEquals(143, cp.terminate());
            outputs.add(String.join("\n", sidecar.lines));
            outputs.add(String.join("\n", cp.lines));
            outputs.add(Files.readString(work.resolve("sidecar.err")));
            outputs.add(Files.readString(work.resolve("cp.err")));
            assertTrue(Files.readString(work.resolve("sidecar.err")).contains("\"level\""), "the sidecar logged JSON");
            assertTrue(Files.readString(work.resolve("cp.err")).contains("admin action=RevokeKey"), "text logs");
        } finally {
            if (sidecar != null) {
                sidecar.close();
            }
            cp.close();
        }
        fileOnlyBootstrap();

        assertNoSecretIn(outputs);
        System.out.printf("SecretsInOutputIT: %d tokens, none in %d outputs (%d lines, %d characters)%n",
                tokens.size(), outputs.size(), outputs.stream().mapToLong(o -> o.lines().count()).sum(),
                outputs.stream().mapToLong(String::length).sum());
        String any = tokens.iterator().next(); // the grep finds what it looks for
        assertThrows(AssertionError.class, () -> assertNoSecretIn(List.of("planted " + any)));
        assertThrows(AssertionError.class, () -> assertNoSecretIn(List.of(
                "planted " + HexFormat.of().formatHex(TokenFormat.sha256(any)))));
        assertOwnerOnly(work.resolve("cp"));
        assertOwnerOnly(work.resolve("sidecar"));
        assertOwnerOnly(work.resolve("serve"));
    }

    /** {@code keymeter admin recover} from the jar: its token works, and is printed once. */
    private void recover(int adminPort) throws Exception {
        ChildJvm.Result r = ChildJvm.runJar(work, List.of(), "admin", "recover", "--data-dir", "cp");
        assertEquals(0, r.exitCode(), r::describe);
        outputs.add(r.stdout());
        outputs.add(r.stderr());
        String recovered = token(r.stdout());
        cli(adminPort, recovered, "keys", "list", "--kind", "admin");
    }

    /** {@code serve --bootstrap-key-file-only}: the token is in the file, and on no output. */
    private void fileOnlyBootstrap() throws Exception {
        try (RunningProcess serve = new RunningProcess(work, work.resolve("serve.err"), "serve", "--data-dir", "serve",
                "--admin-addr", "127.0.0.1:0", "--authz-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
                "--bootstrap-key-file-only")) {
            String banner = serve.readUntil("Press Ctrl-C");
            Path file = work.resolve("serve").resolve("bootstrap-admin-key");
            assertTrue(banner.contains("its token is only in " + file.toAbsolutePath().normalize()), banner);
            String token = Files.readString(file).strip();
            assertTrue(TokenFormat.isWellFormed(token), "a token in the file");
            tokens.add(token);
            assertEquals(143, serve.terminate());
            assertFalse(TOKEN.matcher(String.join("\n", serve.lines)).find(), "no token on stdout");
            outputs.add(String.join("\n", serve.lines));
            outputs.add(Files.readString(work.resolve("serve.err")));
        }
    }

    private String cli(int adminPort, String adminKey, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--addr=127.0.0.1:" + adminPort, "--admin-key=" + adminKey));
        ChildJvm.Result r = ChildJvm.runJar(work, List.of(), all.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::describe);
        outputs.add(r.stdout());
        outputs.add(r.stderr());
        return r.stdout();
    }

    /** A CLI call that must fail with {@code exit}; returns its stderr. */
    private String failingCli(int adminPort, String adminKey, int exit, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--addr=127.0.0.1:" + adminPort, "--admin-key=" + adminKey));
        ChildJvm.Result r = ChildJvm.runJar(work, List.of(), all.toArray(String[]::new));
        assertEquals(exit, r.exitCode(), r::describe);
        outputs.add(r.stdout());
        outputs.add(r.stderr());
        return r.stderr();
    }

    private void scrape(int port, String... paths) throws Exception {
        for (String path : paths) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path);
            outputs.add(r.headers().map() + "\n" + r.body());
        }
        assertTrue(outputs.get(outputs.size() - paths.length).contains("# TYPE"), "a Prometheus scrape");
    }

    /** The first token in {@code text}, remembered. */
    private String token(String text) {
        Matcher m = TOKEN.matcher(text);
        assertTrue(m.find(), () -> "no token in:\n" + text);
        tokens.add(m.group());
        return m.group();
    }

    private String made(String token) {
        tokens.add(token);
        return token;
    }

    private String badChecksumOf(String token) {
        return made(token.substring(0, 39) + (token.endsWith("A") ? "B" : "A"));
    }

    /**
     * No output holds a token, except once on a line of its own (the "shown once" line), and none
     * holds a digest in any common spelling.
     */
    private void assertNoSecretIn(List<String> all) {
        assertTrue(tokens.size() >= 12, "tokens: " + tokens.size());
        List<String> lines = all.stream().flatMap(String::lines).toList();
        for (String token : tokens) {
            long shown = lines.stream().filter(l -> l.strip().equals(token)).count();
            assertTrue(shown <= 1, token.substring(0, 4) + "… shown " + shown + " times");
            byte[] digest = TokenFormat.sha256(token);
            List<String> forbidden = List.of(token, HexFormat.of().formatHex(digest),
                    HexFormat.of().withUpperCase().formatHex(digest), Base64.getEncoder().encodeToString(digest),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
            for (String line : lines) {
                if (line.strip().equals(token)) {
                    continue;
                }
                for (String secret : forbidden) {
                    assertFalse(line.contains(secret), () -> "a token or digest of " + token.substring(0, 4)
                            + "… in: " + line.replace(secret, "<SECRET>"));
                }
            }
        }
    }

    /** Every directory under {@code dir} (itself included) 0700, every file 0600. */
    private static void assertOwnerOnly(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode, p.toString());
            }
        }
    }
}
