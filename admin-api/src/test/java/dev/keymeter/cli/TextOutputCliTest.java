package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.ListAuditRecordsResponse;
import dev.keymeter.proto.admin.v1.ListKeysResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names against a real control plane through the real commands: refused with the code point when
 * typed, and, for rows stored before that rule (written here past the admin API), printed escaped
 * ({@code &#92;u202e}) in tables and plain lines, and as valid JSON that reads back to the stored text.
 */
class TextOutputCliTest {

    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");
    private static final String SPOOFED = "invoice\u202Etxt.exe\u200B\u2028end";
    private static final String EMOJI = "\uD83D\uDE00";

    @TempDir
    Path dir;
    ControlPlane controlPlane;
    String adminKey;

    @BeforeEach
    void start() throws Exception {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir).withPort(0));
        adminKey = controlPlane.bootstrapKey().orElseThrow().token();
        assertEquals(0, cli(new ProjectsCommand(), "create", "payments").exitCode());
    }

    @AfterEach
    void stop() {
        controlPlane.close();
    }

    private CliRun cli(Object command, String... args) {
        return CliRun.against(controlPlane, adminKey, command, args);
    }

    private String createKey(String name) {
        CliRun created = cli(new KeysCommand(), "create", "--project", "payments", "--name", name);
        assertEquals(0, created.exitCode(), created.err());
        Matcher id = KEY_ID.matcher(created.out());
        assertTrue(id.find(), created.out());
        return id.group();
    }

    /** As a version without the rule left it: the name and an audit row holding it, written to the store. */
    private String storedSpoofedKey() {
        String id = createKey("plain");
        controlPlane.store().write(w -> {
            ApiKey key = w.findKey(id).orElseThrow();
            w.updateKey(key.withSettings(SPOOFED, key.permissions(), key.limits(), key.expiresAt(), Instant.now(),
                    w.nextRevision()));
            w.appendAudit(new AuditEntry(0, Instant.now(), "key_old", "UpdateKey", "key/" + id, "OK",
                    Map.of("name", SPOOFED), 0));
            return null;
        });
        return id;
    }

    private static void assertEscaped(String printed) {
        assertTrue(printed.contains("invoice\\u202etxt.exe\\u200b\\u2028end"), printed);
        assertFalse(printed.contains("\u202E"), "raw U+202E printed");
        assertFalse(printed.contains("\u200B"), "raw U+200B printed");
        assertFalse(printed.contains("\u2028"), "raw U+2028 printed");
    }

    @Test
    void auditList_storedRowWithBidiOverride_printsItEscaped() {
        storedSpoofedKey();
        CliRun listed = cli(new AuditCommand(), "list");
        assertEquals(0, listed.exitCode(), listed.err());
        assertEscaped(listed.out());
    }

    @Test
    void keysListAndGet_storedNameWithBidiOverride_printItEscaped() {
        String id = storedSpoofedKey();
        CliRun listed = cli(new KeysCommand(), "list");
        assertEquals(0, listed.exitCode(), listed.err());
        assertEscaped(listed.out());
        CliRun got = cli(new KeysCommand(), "get", id);
        assertEquals(0, got.exitCode(), got.err());
        assertEscaped(got.out());
        CliRun revoked = cli(new KeysCommand(), "revoke", id, "--yes");
        assertEquals(0, revoked.exitCode(), revoked.err());
        assertEscaped(revoked.out());
    }

    @Test
    void jsonOutput_storedNameWithBidiOverride_isValidJsonEscapedThatReadsBackExactly() throws Exception {
        storedSpoofedKey();
        CliRun keys = cli(new KeysCommand(), "list", "--output", "json");
        assertEquals(0, keys.exitCode(), keys.err());
        assertEscaped(keys.out());
        ListKeysResponse.Builder parsedKeys = ListKeysResponse.newBuilder();
        JsonFormat.parser().merge(keys.out(), parsedKeys);
        assertTrue(parsedKeys.getKeysList().stream().map(Key::getName).anyMatch(SPOOFED::equals), keys.out());

        CliRun audit = cli(new AuditCommand(), "list", "--output", "json");
        assertEquals(0, audit.exitCode(), audit.err());
        assertEscaped(audit.out());
        ListAuditRecordsResponse.Builder parsedAudit = ListAuditRecordsResponse.newBuilder();
        JsonFormat.parser().merge(audit.out(), parsedAudit);
        assertTrue(parsedAudit.getRecordsList().stream().anyMatch(r -> SPOOFED.equals(r.getChangesMap().get("name"))),
                audit.out());
    }

    @Test
    void keysCreate_hundredEmojiName_isAccepted() {
        String id = createKey(EMOJI.repeat(100));
        CliRun got = cli(new KeysCommand(), "get", id);
        assertTrue(got.out().contains(EMOJI.repeat(100)), got.out());
    }

    @Test
    void keysCreate_nameWithBidiOverride_exit5NamingCodePointAndFlag() {
        CliRun refused = cli(new KeysCommand(), "create", "--project", "payments", "--name", "a\u202Eb");
        assertEquals(CliErrors.REFUSED, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("INVALID_ARGUMENT: --name: must not contain U+202E"), refused.err());
        assertFalse(refused.err().contains("\u202E"), refused.err());
    }

    @Test
    void keysCreate_ownerOf129Characters_exit5NamingMaximumAndFlag() {
        CliRun refused = cli(new KeysCommand(), "create", "--project", "payments", "--name", "k", "--owner", "user",
                "--user", "\u00E9".repeat(129));
        assertEquals(CliErrors.REFUSED, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("INVALID_ARGUMENT: --user: at most 128 characters, was 129"), refused.err());
        assertFalse(refused.err().contains("(--user)"), "the flag named once: " + refused.err());
    }
}
