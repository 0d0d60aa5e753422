package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Permanent actions refuse without {@code --yes}, before any admin key is looked at or any call is
 * made: no admin key is passed here, so a refusal for any other reason would show.
 */
class ConfirmOptionTest {

    @Test
    void revoke_withoutYes_isUsageErrorAskingForYes() {
        CliRun run = CliRun.run(new KeysCommand(), "revoke", "key_1");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("revoking key key_1 is permanent: pass --yes"), run.err());
    }

    @Test
    void delete_withoutYes_isUsageErrorAskingForYes() {
        CliRun run = CliRun.run(new KeysCommand(), "delete", "key_1");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("pass --yes"), run.err());
    }

    @Test
    void projectDelete_withoutYes_isUsageErrorAskingForYes() {
        CliRun run = CliRun.run(new ProjectsCommand(), "delete", "payments");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("deleting project payments"), run.err());
        assertTrue(run.err().contains("pass --yes"), run.err());
    }
}
