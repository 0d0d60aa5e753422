package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar in a child JVM whose {@code java.io.tmpdir} cannot take a file (a regular file: root
 * writes into any directory, whatever its mode), as on a read-only root without a /tmp volume:
 * {@code serve} refuses to start before it opens a store, and {@code doctor} names the problem.
 */
class TempDirectoryIT {

    @TempDir Path dir;

    @Test
    void serve_withAnUnusableTempDirectory_refusesToStartBeforeOpeningTheStore() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("tmp"), "x");
        Path data = dir.resolve("data");

        ChildJvm.Result run = ChildJvm.runJar(dir, List.of("-Djava.io.tmpdir=" + notADirectory), "serve",
                "--data-dir", data.toString(), "--admin-addr", "127.0.0.1:0", "--authz-addr", "127.0.0.1:0",
                "--metrics-addr", "127.0.0.1:0", "--console-addr", "off");

        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stderr().contains("error: keymeter serve could not start: the temporary directory "
                + notADirectory + " (java.io.tmpdir) is not a directory; native libraries are unpacked there"),
                run.describe());
        assertFalse(run.stderr().contains("\tat "), "no stack trace: " + run.describe());
        try (var files = Files.list(data)) {
            assertFalse(files.findAny().isPresent(), "no store was opened: " + run.describe());
        }
    }

    @Test
    void doctor_withAnUnusableTempDirectory_failsThatCheckNamingIt() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("tmp"), "x");

        ChildJvm.Result run = ChildJvm.runJar(dir, List.of("-Djava.io.tmpdir=" + notADirectory), "doctor",
                "--data-dir", dir.resolve("data").toString());

        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("FAIL tmp dir      the temporary directory " + notADirectory
                + " (java.io.tmpdir) is not a directory;"), run.describe());
        assertTrue(run.stderr().contains("doctor: failed: tmp dir"), run.describe());
    }
}
