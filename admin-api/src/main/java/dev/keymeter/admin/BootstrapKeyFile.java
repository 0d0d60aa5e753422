package dev.keymeter.admin;

import dev.keymeter.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bootstrap admin token's file: created with {@code O_EXCL} and mode 0600 (a file that is
 * already there, whoever put it there, is never written into), written and synced to disk
 * <em>inside</em> the transaction that registers the key, before it commits. A crash can then leave a
 * file whose key never committed (harmless: it opens nothing), never a committed key whose token is
 * nowhere; when the commit fails the file is removed.
 *
 * <p>One instance per bootstrap attempt, used by the thread that runs it.
 */
final class BootstrapKeyFile {

    private final Path file;
    private boolean written;

    BootstrapKeyFile(Path file) {
        this.file = file;
    }

    /** Creates the file (refusing one that exists) and writes {@code token} to disk. */
    void write(String token) {
        try {
            OwnerOnly.createNewFile(file);
            written = true;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(StandardCharsets.US_ASCII.encode(token + System.lineSeparator()));
                channel.force(true);
            }
        } catch (FileAlreadyExistsException e) {
            throw new UncheckedIOException(new IOException("the bootstrap key file " + file + " already exists but"
                    + " the store has no admin key: it is left from an interrupted first start or an earlier store"
                    + " and opens nothing; move it away and start again"));
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot write the bootstrap key file " + file + ": "
                    + e.getMessage()));
        }
    }

    /** After a failed commit: removes the file this attempt wrote (never one it found). */
    void removeIfWritten() {
        if (!written) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // The key never committed, so the token opens nothing: a file left behind is only clutter.
        }
        written = false;
    }
}
