package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command tree in-process, for the failure paths; DoctorIT runs the real jar for the rest.
 */
class DoctorCommandTest {

    @TempDir Path dir;

    @Test
    void doctor_dataDirIsAFile_failsThoseChecksAndExits1() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("data"), "not a directory");

        Run run = keymeter("doctor", "--data-dir", notADirectory.toString());

        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.out().contains("FAIL data dir     " + notADirectory + " exists and is not a"),
                run.out());
        assertTrue(run.out().contains("FAIL scratch map"), run.out());
        assertTrue(run.out().contains("OK   java"), run.out());
        assertTrue(run.out().contains("OK   tmp dir      "), run.out());
        assertEquals("doctor: failed: data dir, scratch map", run.err().strip());
    }

    @Test
    void keymeter_help_listsDoctor() {
        Run run = keymeter("--help");

        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("doctor"), run.out());
    }

    private record Run(int exitCode, String out, String err) {}

    private static Run keymeter(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
