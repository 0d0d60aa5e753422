package dev.keymeter.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the bootstrap admin token to a file readable only by its owner (mode 0600 from the moment
 * it exists: the permissions are set at creation, not after).
 */
final class BootstrapKeyFile {
    private BootstrapKeyFile() {
    }

    static void write(Path file, String token) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException raced) {
            throw new IOException("bootstrap key file appeared while writing it: " + file, raced);
        }
        Files.writeString(file, token + System.lineSeparator(), StandardCharsets.US_ASCII,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
    }
}
