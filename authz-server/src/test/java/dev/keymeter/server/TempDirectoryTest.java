package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * A process mode refuses to start when the JVM's temporary directory cannot take a file (a container
 * with a read-only root and no /tmp volume), naming the directory and the fix, before it opens a
 * store. Root may write to any directory whatever its mode, so the unwritable directories here are a
 * regular file and a missing path.
 */
class TempDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void requireWritable_aWritableDirectory_leavesNothingBehind() throws IOException {
        TempDirectory.requireUsable(dir);
        try (var files = Files.list(dir)) {
            assertFalse(files.findAny().isPresent());
        }
    }

    @Test
    void requireWritable_aRegularFile_saysItIsNotADirectoryAndHowToFixIt() throws IOException {
        Path file = Files.writeString(dir.resolve("tmp"), "x");
        IOException e = assertThrows(IOException.class, () -> TempDirectory.requireUsable(file));
        assertEquals("the temporary directory " + file + " (java.io.tmpdir) is not a directory; native libraries"
                + " are unpacked there: give the process a writable " + file + " (docker run --tmpfs " + file
                + ":exec; Kubernetes: an emptyDir volume), or set KEYMETER_JAVA_OPTS=-Djava.io.tmpdir=<a writable"
                + " directory>", e.getMessage());
    }

    @Test
    void requireWritable_aMissingDirectory_saysItDoesNotExist() {
        Path missing = dir.resolve("gone");
        IOException e = assertThrows(IOException.class, () -> TempDirectory.requireUsable(missing));
        assertTrue(e.getMessage().startsWith("the temporary directory " + missing + " (java.io.tmpdir) does not exist;"),
                e.getMessage());
    }

    @Test
    void requireUsable_aDirectoryOnANoexecMount_saysSoAndHowToFixIt() throws IOException {
        Path real = dir.toRealPath();
        String mounts = "/dev/vda / ext4 rw,relatime 0 0\ntmpfs " + real + " tmpfs rw,nosuid,nodev,noexec 0 0\n";
        IOException e = assertThrows(IOException.class, () -> TempDirectory.requireUsable(dir, mounts));
        assertEquals("the temporary directory " + dir + " (java.io.tmpdir) is on a noexec mount (" + real
                + "); native libraries are unpacked there and cannot be loaded from it: mount " + real
                + " with exec (docker run --tmpfs " + dir + ":exec), or set KEYMETER_JAVA_OPTS=-Djava.io.tmpdir=<a"
                + " directory on a mount without noexec>", e.getMessage());
    }

    @Test
    void requireUsable_thisMachinesOwnMounts_acceptTheTestsTemporaryDirectory() throws IOException {
        // The real /proc/self/mounts. @TempDir lives under java.io.tmpdir, where this JVM's sqlite-jdbc
        // already unpacked and loaded its native library: that mount is usable.
        TempDirectory.requireUsable(dir);
    }

    @Test
    void serve_withAnUnusableTempDirectory_refusesToStartBeforeOpeningTheStore() throws IOException {
        Path data = dir.resolve("data");
        Path notADirectory = Files.writeString(dir.resolve("tmp"), "x");
        String saved = System.getProperty("java.io.tmpdir");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try {
            System.setProperty("java.io.tmpdir", notADirectory.toString());
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            exit = cl.execute("serve", "--data-dir", data.toString(), "--admin-addr", "127.0.0.1:0",
                    "--authz-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--console-addr", "off");
        } finally {
            System.setProperty("java.io.tmpdir", saved);
        }
        assertEquals(1, exit, out + "" + err);
        assertTrue(err.toString().startsWith("error: keymeter serve could not start: the temporary directory "
                + notADirectory + " (java.io.tmpdir) is not a directory;"), err.toString());
        try (var files = Files.list(data)) {
            assertFalse(files.findAny().isPresent(), "no store was opened");
        }
    }
}
