package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real control plane (SQLite in a temp dir, gRPC on a free port). */
class CliEndToEndTest {

    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");
    private static final Pattern TOKEN = Pattern.compile("km[aus]_[0-9A-Za-z]{36}");

    @TempDir
    Path dir;
    ControlPlane controlPlane;
    String adminKey;

    @BeforeEach
    void start() throws Exception {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir).withPort(0));
        adminKey = controlPlane.bootstrapKey().orElseThrow().token();
    }

    @AfterEach
    void stop() {
        controlPlane.close();
    }

    private CliRun cli(Object command, String... args) {
        return CliRun.against(controlPlane, adminKey, command, args);
    }

    private static String first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), () -> "no " + p + " in: " + text);
        return m.group();
    }

    @Test
    void sidecarsCreateListRevoke_tokenOnce_revokeRefusesApiKeys_audited() {
        CliRun created = cli(new SidecarsCommand(), "create", "gateway-eu");
        assertEquals(0, created.exitCode(), created.err());
        String token = first(Pattern.compile("kmc_[0-9A-Za-z]{36}"), created.out());
        String id = first(KEY_ID, created.out());

        CliRun list = cli(new SidecarsCommand(), "list");
        assertEquals(0, list.exitCode(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.matches(id + "\\s+gateway-eu\\s+Active\\s+.*kmc_.*")), list.out());
        assertFalse(list.out().contains(token), "a listing never shows a token");
        assertFalse(list.out().contains("bootstrap-admin"), "only sidecar credentials");

        CliRun project = cli(new ProjectsCommand(), "create", "payments");
        String apiKeyId = first(KEY_ID, project.out());
        CliRun wrongKind = cli(new SidecarsCommand(), "revoke", apiKeyId, "--yes");
        assertEquals(2, wrongKind.exitCode());
        assertTrue(wrongKind.err().contains("is not a sidecar credential"), wrongKind.err());
        assertEquals(2, cli(new SidecarsCommand(), "revoke", id).exitCode(), "needs --yes");

        CliRun revoked = cli(new SidecarsCommand(), "revoke", id, "--yes");
        assertEquals(0, revoked.exitCode(), revoked.err());
        assertTrue(cli(new SidecarsCommand(), "list").out().lines()
                .anyMatch(l -> l.startsWith(id) && l.contains("Revoked")));
        String audit = cli(new AuditCommand(), "list", "--target", "key/" + id).out();
        assertTrue(audit.contains("CreateKey") && audit.contains("RevokeKey"), audit);
    }

    @Test
    void projectRestrictedKeyListRotateDisableRevoke_fullFlow() {
        CliRun project = cli(new ProjectsCommand(), "create", "payments");
        assertEquals(0, project.exitCode(), project.err());
        first(TOKEN, project.out());

        CliRun created = cli(new KeysCommand(), "create", "--project", "payments", "--name", "ci-bot",
                "--allow", "chat_completions=write", "--allow", "models=read",
                "--cost-limit-usd", "25", "--token-limit", "1000000", "--rpm", "60", "--reset", "monthly");
        assertEquals(0, created.exitCode(), created.err());
        String token = first(TOKEN, created.out());
        String keyId = first(KEY_ID, created.out());

        CliRun list = cli(new KeysCommand(), "list", "--project", "payments");
        assertEquals(0, list.exitCode(), list.err());
        List<String> lines = list.out().lines().toList();
        assertTrue(lines.get(0).matches("ID\\s+Created\\s+Name\\s+Type\\s+Status\\s+Permissions\\s+Created by"),
                lines.get(0));
        String row = lines.stream().filter(l -> l.startsWith(keyId)).findFirst().orElseThrow();
        assertTrue(row.matches(".*ci-bot\\s+Service\\s+Active\\s+Restricted\\s+key_.*"), row);
        assertFalse(list.out().contains(token), "a listing never shows a token");

        CliRun rotated = cli(new KeysCommand(), "rotate", keyId, "--grace", "1h");
        assertEquals(0, rotated.exitCode(), rotated.err());
        String newToken = first(TOKEN, rotated.out());
        assertFalse(newToken.equals(token));

        assertEquals(0, cli(new KeysCommand(), "disable", keyId).exitCode());
        assertTrue(cli(new KeysCommand(), "get", keyId).out().contains("Disabled"));
        CliRun revoke = cli(new KeysCommand(), "revoke", keyId, "--yes");
        assertEquals(0, revoke.exitCode(), revoke.err());
        CliRun enable = cli(new KeysCommand(), "enable", keyId);
        assertEquals(CliErrors.REFUSED, enable.exitCode());
        assertTrue(enable.err().contains("FAILED_PRECONDITION"), enable.err());

        CliRun audit = cli(new AuditCommand(), "list");
        assertEquals(0, audit.exitCode(), audit.err());
        for (String action : List.of("CreateProject", "CreateKey", "RotateKey", "DisableKey", "RevokeKey", "EnableKey")) {
            assertTrue(audit.out().contains(action), action + " missing from: " + audit.out());
        }
    }

    @Test
    void keysUsageAndUpdate_showLimitsAndChanges() {
        cli(new ProjectsCommand(), "create", "payments");
        String keyId = first(KEY_ID, cli(new KeysCommand(), "create", "--project", "payments", "--name", "k",
                "--cost-limit-usd", "12.5", "--reset", "daily").out());
        CliRun usage = cli(new KeysCommand(), "usage", keyId);
        assertEquals(0, usage.exitCode(), usage.err());
        assertTrue(usage.out().contains("12.50"), usage.out());
        assertTrue(usage.out().contains("no sidecar has reported usage yet"), usage.out());

        // A sidecar's report (as ReportUsage records it) shows in the overview.
        java.time.Instant now = java.time.Instant.now();
        java.time.Instant dayStart = now.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        controlPlane.rules().usageBoard().record(keyId, "sidecar-1", new dev.keymeter.lifecycle.UsageBoard.Figures(
                null, dayStart, 1_200, 300, 2_500_000, 0, 7, 1, now));
        CliRun reported = cli(new KeysCommand(), "usage", keyId);
        assertTrue(reported.out().matches("(?s).*Cost \\(USD\\)\\s+2\\.50\\s+0\\.00\\s+12\\.50\\s+10\\.00.*"),
                "used 2.50 of 12.50: " + reported.out());
        assertTrue(reported.out().contains("1 in flight"), reported.out());
        assertTrue(reported.out().contains("(1 sidecar)"), reported.out());

        CliRun unconfirmed = cli(new KeysCommand(), "reset-usage", keyId);
        assertEquals(CliErrors.USAGE, unconfirmed.exitCode(), unconfirmed.err());
        CliRun reset = cli(new KeysCommand(), "reset-usage", keyId, "--yes");
        assertEquals(0, reset.exitCode(), reset.err());
        assertTrue(reset.out().contains("Reset the usage of key " + keyId), reset.out());
        assertTrue(reset.out().matches("(?s).*Cost \\(USD\\)\\s+0\\.00\\s+0\\.00\\s+12\\.50\\s+12\\.50.*"),
                "the old figures no longer count: " + reset.out());
        assertFalse(reset.out().contains("never"), "the reset time is shown: " + reset.out());
        CliRun update = cli(new KeysCommand(), "update", keyId, "--name", "renamed", "--rpm", "5");
        assertEquals(0, update.exitCode(), update.err());
        JsonObject json = JsonParser.parseString(cli(new KeysCommand(), "get", keyId, "--output", "json").out())
                .getAsJsonObject();
        assertEquals("renamed", json.get("name").getAsString());
        assertEquals("5", json.getAsJsonObject("limits").get("requestsPerMinute").getAsString());
    }

    @Test
    void errors_mapToDocumentedExitCodes() {
        CliRun missing = cli(new KeysCommand(), "get", "key_00000000000000000000");
        assertEquals(CliErrors.NOT_FOUND, missing.exitCode());
        assertTrue(missing.err().startsWith("error: NOT_FOUND"), missing.err());

        CliRun project = cli(new ProjectsCommand(), "create", "payments");
        String projectToken = first(TOKEN, project.out());
        CliRun denied = CliRun.run(new KeysCommand(), "list", "--addr=127.0.0.1:" + controlPlane.port(),
                "--admin-key=" + projectToken);
        assertEquals(CliErrors.DENIED, denied.exitCode());
        assertFalse(denied.err().contains(projectToken), "the key is never echoed");

        CliRun userless = cli(new MembersCommand(), "remove", "nobody@example.com");
        assertEquals(CliErrors.NOT_FOUND, userless.exitCode());
    }

    @Test
    void membersRemove_printsRevokedKeys() {
        cli(new ProjectsCommand(), "create", "payments");
        assertEquals(0, cli(new MembersCommand(), "add", "alice@example.com", "--project", "payments").exitCode());
        String keyId = first(KEY_ID, cli(new KeysCommand(), "create", "--project", "payments", "--name", "laptop",
                "--owner", "user", "--user", "alice@example.com").out());
        CliRun removed = cli(new MembersCommand(), "remove", "alice@example.com");
        assertEquals(0, removed.exitCode(), removed.err());
        assertTrue(removed.out().contains(keyId), removed.out());
        assertTrue(cli(new KeysCommand(), "get", keyId).out().contains("Revoked"));
    }
}
