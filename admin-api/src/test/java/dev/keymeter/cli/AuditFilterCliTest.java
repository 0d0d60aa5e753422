package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keymeter audit list --actor … --action …} against a real control plane. */
class AuditFilterCliTest {

    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");
    private static final Pattern TOKEN = Pattern.compile("kma_[0-9A-Za-z]{36}");

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

    @Test
    void auditList_actorAndAction_printOnlyMatchingRecords() {
        CliRun created = CliRun.against(controlPlane, adminKey, new KeysCommand(), "create", "--kind", "admin",
                "--owner", "service-account", "--name", "ops");
        assertEquals(0, created.exitCode(), created.err());
        String opsId = first(KEY_ID, created.out());
        String opsToken = first(TOKEN, created.out());
        CliRun.against(controlPlane, opsToken, new ProjectsCommand(), "create", "payments");
        CliRun.against(controlPlane, opsToken, new ProjectsCommand(), "create", "search");
        CliRun.against(controlPlane, adminKey, new ProjectsCommand(), "create", "billing");

        CliRun audit = CliRun.against(controlPlane, adminKey, new AuditCommand(), "list", "--actor", opsId,
                "--action", "CreateProject", "--output", "json");

        assertEquals(0, audit.exitCode(), audit.err());
        List<String> targets = new ArrayList<>();
        JsonArray records = JsonParser.parseString(audit.out()).getAsJsonObject().getAsJsonArray("records");
        for (JsonElement r : records) {
            assertEquals(opsId, r.getAsJsonObject().get("actorKeyId").getAsString());
            targets.add(r.getAsJsonObject().get("target").getAsString());
        }
        assertEquals(List.of("project/search", "project/payments"), targets);
    }

    @Test
    void auditList_actionOnly_tableShowsOnlyThatAction() {
        CliRun.against(controlPlane, adminKey, new ProjectsCommand(), "create", "payments");

        CliRun audit = CliRun.against(controlPlane, adminKey, new AuditCommand(), "list", "--action", "Bootstrap");

        assertEquals(0, audit.exitCode(), audit.err());
        assertTrue(audit.out().contains("Bootstrap"), audit.out());
        assertTrue(!audit.out().contains("CreateProject"), audit.out());
    }

    @Test
    void auditList_unknownAction_exitsRefusedNamingTheAction() {
        CliRun audit = CliRun.against(controlPlane, adminKey, new AuditCommand(), "list", "--action", "MakeKey");

        assertEquals(CliErrors.REFUSED, audit.exitCode(), audit.err());
        assertTrue(audit.err().contains("--action: unknown action \"MakeKey\""), audit.err());
    }

    @Test
    void auditList_actorNotAKeyId_exitsRefusedNamingTheFlag() {
        CliRun audit = CliRun.against(controlPlane, adminKey, new AuditCommand(), "list", "--actor", "alice");

        assertEquals(CliErrors.REFUSED, audit.exitCode(), audit.err());
        assertTrue(audit.err().contains("--actor: not a key id"), audit.err());
    }

    private static String first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), () -> "no " + p + " in: " + text);
        return m.group();
    }
}
