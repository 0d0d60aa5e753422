package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The temporary-directory check a process mode runs before it opens a store. Root may write to any
 * directory whatever its mode, so the unwritable directories here are a regular file and a missing
 * path. These tests never change {@code java.io.tmpdir} itself: the JDK caches it at its first use
 * (java.io.File's temporary files), which would break every later test in this JVM; TempDirectoryIT
 * starts the real process with a bad one.
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
}
