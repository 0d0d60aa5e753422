package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * The limit flags against a real control plane: a limit at its maximum is accepted, one the
 * sidecars' counters cannot hold is refused (exit 5) with the field, the flag and the maximum.
 */
class KeyLimitBoundsCliTest {

    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");

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

    private CliRun create(String name, String... limitFlags) {
        List<String> args = new ArrayList<>(List.of("create", "--project", "payments", "--name", name));
        args.addAll(List.of(limitFlags));
        return cli(new KeysCommand(), args.toArray(String[]::new));
    }

    private static void assertRefused(CliRun run, String... fragments) {
        assertEquals(CliErrors.REFUSED, run.exitCode(), run.err());
        for (String fragment : fragments) {
            assertTrue(run.err().contains(fragment), () -> "expected '" + fragment + "' in: " + run.err());
        }
    }

    @Test
    void keysCreate_limitsAtTheirMaximum_areAccepted() {
        CliRun created = create("max", "--token-limit", "17592186044415", "--cost-limit-usd", "17592186.044415",
                "--rpm", "4294967294");
        assertEquals(0, created.exitCode(), created.err());
    }

    @Test
    void keysCreate_limitsTheCountersCannotHold_exit5NamingFlagAndMaximum() {
        assertRefused(create("t", "--token-limit", "1000000000000000"),
                "INVALID_ARGUMENT: --token-limit: ", "17592186044415 tokens", "was 1000000000000000");
        assertRefused(create("c", "--cost-limit-usd", "1e9"),
                "INVALID_ARGUMENT: --cost-limit-usd: ", "17592186.044415 USD");
        assertRefused(create("r", "--rpm", "4294967295"),
                "INVALID_ARGUMENT: --rpm: ", "4294967294 requests");
    }

    @Test
    void keysUpdate_limitAboveItsMaximum_exit5_atItsMaximum_accepted() {
        CliRun created = create("k", "--token-limit", "5");
        Matcher id = KEY_ID.matcher(created.out());
        assertTrue(id.find(), created.out());
        assertRefused(cli(new KeysCommand(), "update", id.group(), "--token-limit", "17592186044416"),
                "INVALID_ARGUMENT: --token-limit: ", "17592186044415");
        CliRun atMax = cli(new KeysCommand(), "update", id.group(), "--token-limit", "17592186044415");
        assertEquals(0, atMax.exitCode(), atMax.err());
    }
}
