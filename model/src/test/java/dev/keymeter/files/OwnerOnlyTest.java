package dev.keymeter.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owner-only directories and files on a real POSIX file system. */
class OwnerOnlyTest {

    @TempDir
    Path dir;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void createDirectories_createsEachMissingLevel0700_andLeavesExistingOnesAlone() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        OwnerOnly.createDirectories(dir.resolve("a/b/c"));
        assertEquals("rwxr-xr-x", mode(dir));
        assertEquals("rwx------", mode(dir.resolve("a")));
        assertEquals("rwx------", mode(dir.resolve("a/b/c")));
    }

    @Test
    void createNewFile_is0600_andRefusesAFileThatExists() throws Exception {
        Path f = OwnerOnly.createNewFile(dir.resolve("d/secret"));
        assertEquals("rw-------", mode(f));
        assertThrows(FileAlreadyExistsException.class, () -> OwnerOnly.createNewFile(f));
    }

    @Test
    void restrict_makesAFile0600AndADirectory0700() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
        OwnerOnly.restrict(f);
        assertEquals("rw-------", mode(f));
        OwnerOnly.restrict(dir);
        assertEquals("rwx------", mode(dir));
        OwnerOnly.restrict(dir.resolve("absent")); // nothing to do
    }

    @Test
    void requireNotWritableByOthers_refusesGroupOrOtherWrite_acceptsReadable() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        OwnerOnly.requireNotWritableByOthers(d);
        for (String unsafe : new String[] {"rwxrwx---", "rwx----w-", "rwxrwxrwx"}) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(unsafe));
            IOException e = assertThrows(IOException.class, () -> OwnerOnly.requireNotWritableByOthers(d));
            assertEquals("the data directory " + d + " is writable by group or others (mode " + unsafe + "); keymeter"
                    + " keeps keys there: run  chmod 700 " + d + "  and start again", e.getMessage());
        }
    }
}
