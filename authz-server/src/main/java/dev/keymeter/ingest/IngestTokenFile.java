package dev.keymeter.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The ingest token file a process uses when {@code --ingest-token-file} names none:
 * {@code <data-dir>/ingest-token}, created on the first start with one new token in it, mode 0600
 * from the moment it exists (O_EXCL: an existing file is never overwritten, so a restart keeps the
 * token Envoy was configured with). The usage ports therefore never start open; on one machine the
 * operator reads the token from this file to configure Envoy.
 */
public final class IngestTokenFile {

    public static final String DEFAULT_NAME = "ingest-token";

    private IngestTokenFile() {
    }

    /** What was loaded, and whether this start created the file. */
    public record Loaded(Path file, IngestTokens tokens, boolean created) {
    }

    /**
     * Reads {@code configured}, or when it is {@code null} the default file in {@code dataDir},
     * creating it first if it does not exist. A configured file must exist.
     */
    public static Loaded load(Path configured, Path dataDir) throws IOException {
        if (configured != null) {
            return new Loaded(configured, IngestTokens.read(configured), false);
        }
        Path file = dataDir.resolve(DEFAULT_NAME);
        boolean created = createIfAbsent(file);
        return new Loaded(file, IngestTokens.read(file), created);
    }

    private static boolean createIfAbsent(Path file) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        Files.createDirectories(file.getParent());
        String token = IngestTokens.newToken();
        String text = "# keymeter ingest token: send it as gRPC metadata " + IngestTokens.HEADER
                + " to the usage ports (Report, access log)\n" + token + "\n";
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException anotherProcessWon) {
            return false;
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
        return true;
    }
}
