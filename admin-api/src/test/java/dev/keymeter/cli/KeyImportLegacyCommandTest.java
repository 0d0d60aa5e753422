package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.ImportLegacyKeyRequest;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

class KeyImportLegacyCommandTest {

    private static final String LEGACY = "sk-legacy-0123456789abcdef";

    @Test
    void readToken_stdinWithLineEnd_isTheTokenAlone() {
        KeyImportLegacyCommand command = CliRun.parse(new KeyImportLegacyCommand(), "--token-stdin", "--name", "old");
        command.stdin = new ByteArrayInputStream((LEGACY + "\r\n").getBytes(StandardCharsets.US_ASCII));

        assertEquals(LEGACY, command.readToken());
    }

    @Test
    void readToken_file_isItsContent(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), LEGACY + "\n");
        KeyImportLegacyCommand command = CliRun.parse(new KeyImportLegacyCommand(),
                "--token-file", file.toString(), "--name", "old");

        assertEquals(LEGACY, command.readToken());
    }

    @Test
    void readToken_emptyStdin_isUsageError() {
        KeyImportLegacyCommand command = CliRun.parse(new KeyImportLegacyCommand(), "--token-stdin", "--name", "old");
        command.stdin = new ByteArrayInputStream(new byte[0]);

        ParameterException refused = assertThrows(ParameterException.class, command::readToken);
        assertTrue(refused.getMessage().contains("no token on stdin"), refused.getMessage());
    }

    @Test
    void request_createOptions_areCarriedOver() {
        KeyImportLegacyCommand command = CliRun.parse(new KeyImportLegacyCommand(), "--token-stdin",
                "--name", "old", "--project", "payments", "--permissions", "read-only", "--expires", "2030-01-01");

        ImportLegacyKeyRequest request = command.request(LEGACY);

        assertEquals(LEGACY, request.getToken());
        assertEquals("payments", request.getProjectId());
        assertEquals(PermissionPreset.PERMISSION_PRESET_READ_ONLY, request.getPermissions().getPreset());
        assertTrue(request.hasExpireTime());
    }

    @Test
    void importLegacy_noTokenSource_isUsageError() {
        CliRun run = CliRun.run(new KeysCommand(), "import-legacy", "--name", "old", "--admin-key", "kma_x");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("--token-stdin") && run.err().contains("--token-file"), run.err());
    }

    @Test
    void importLegacy_limitOption_isNotOffered() {
        CliRun run = CliRun.run(new KeysCommand(), "import-legacy", "--token-stdin", "--name", "old", "--rpm", "5");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("--rpm"), run.err());
    }
}
