package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every process mode refuses a data directory that group or others may write to, before it creates
 * anything in it: exit 1, and a message naming the directory and the fix.
 */
class UnsafeDataDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void serveControlPlaneAndSidecar_onAGroupWritableDataDirectory_refuseToStart() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwx---"));
        for (String mode : new String[] {"serve", "control-plane", "sidecar"}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            List<String> args = new ArrayList<>(List.of(mode, "--data-dir", data.toString(), "--admin-addr",
                    "127.0.0.1:0", "--authz-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"));
            if (mode.equals("sidecar")) {
                args.addAll(List.of("--control-plane", "127.0.0.1:1", "--control-plane-key",
                        TokenFormat.generate(TokenType.SIDECAR)));
            }
            int exit = cl.execute(args.toArray(String[]::new));
            assertEquals(1, exit, mode + ": " + out + err);
            assertEquals("error: keymeter " + mode + " could not start: the data directory " + data + " is writable"
                    + " by group or others (mode rwxrwx---); keymeter keeps keys there: run  chmod 700 " + data
                    + "  and start again\n", err.toString(), mode);
            try (var files = Files.list(data)) {
                assertFalse(files.findAny().isPresent(), mode + " created nothing");
            }
        }
        assertTrue(Files.isDirectory(data));
    }
}
