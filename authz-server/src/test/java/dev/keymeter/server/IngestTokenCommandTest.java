package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.ingest.IngestTokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code keymeter ingest-token create} prints a token and the file line that accepts it; a sidecar
 * started with that line accepts the token; a bad {@code --ingest-token-file} stops the start naming
 * the flag, never a line's content.
 */
class IngestTokenCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run keymeter(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void create_printsTokenOnceAndItsDigestLine_thatTheFileAccepts() throws Exception {
        Run r = keymeter("ingest-token", "create");
        assertEquals(0, r.exit(), r.err());
        Matcher token = Pattern.compile("kmi_[0-9A-Za-z]{36}").matcher(r.out());
        assertTrue(token.find(), r.out());
        assertFalse(token.find(), "the token is printed once");
        Matcher line = Pattern.compile("sha256:[0-9a-f]{64}").matcher(r.out());
        assertTrue(line.find(), r.out());

        Path file = dir.resolve("ingest-tokens");
        Files.writeString(file, line.group() + " envoy\n");
        token.reset();
        assertTrue(token.find());
        assertTrue(IngestTokens.read(file).accepts(token.group()));
        assertTrue(keymeter("ingest-token", "create").out().indexOf(token.group()) < 0, "a new token each time");
    }

    @Test
    void sidecar_withBadIngestTokenFile_doesNotStart_andNamesTheFlag() throws Exception {
        Path file = dir.resolve("ingest-tokens");
        String secretWithTypo = "kmi_" + "A".repeat(36);
        Files.writeString(file, secretWithTypo + "\n");
        Run bad = keymeter("sidecar", "--data-dir", dir.resolve("data").toString(), "--ingest-token-file",
                file.toString(), "--control-plane-key", "kmc_x", "--authz-addr", "127.0.0.1:0",
                "--metrics-addr", "127.0.0.1:0");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--ingest-token-file: " + file + " line 1"), bad.err());
        assertFalse(bad.err().contains(secretWithTypo) || bad.out().contains(secretWithTypo));

        Run missing = keymeter("sidecar", "--data-dir", dir.resolve("data").toString(), "--ingest-token-file",
                dir.resolve("nope").toString(), "--control-plane-key", "kmc_x", "--authz-addr", "127.0.0.1:0",
                "--metrics-addr", "127.0.0.1:0");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("--ingest-token-file: " + dir.resolve("nope") + " does not exist"),
                missing.err());
    }
}
