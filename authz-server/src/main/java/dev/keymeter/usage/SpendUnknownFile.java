package dev.keymeter.usage;

import dev.keymeter.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where {@link Budgets} keeps the keys whose spend is unknown (usage of an unpriced model was charged to
 * a cost-limited key): a small text file in the sidecar's data directory, so that the block outlives a
 * restart instead of lifting with it. One line per key, {@code <counter epoch> <key id, URL-encoded>}.
 *
 * <p>Written whole and atomically: to a temporary file beside it, forced to disk, then moved over the
 * old one ({@code ATOMIC_MOVE}); a crash leaves the old file or the new, never half of one. Writes are
 * rare (the first unpriced usage of a key in a period) and never on the Check path. A line that does
 * not parse is skipped with a warning naming the file and the line number: the others still hold.
 * Writes are serialized by the caller ({@link Budgets}).
 */
public final class SpendUnknownFile {

    private static final Logger LOG = System.getLogger("keymeter.usage");
    private final Path file;

    public SpendUnknownFile(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    public Path path() {
        return file;
    }

    /**
     * Key id → counter epoch, as last saved; empty when there is no file yet.
     *
     * @throws UncheckedIOException naming the file when it exists but cannot be read: starting without
     *     the blocks would let those keys spend unmetered
     */
    Map<String, Long> load() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the keys whose spend is unknown from " + file + ": " + e, e);
        }
        Map<String, Long> out = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            int space = lines[i].indexOf(' ');
            try {
                out.put(URLDecoder.decode(lines[i].substring(space + 1), StandardCharsets.UTF_8),
                        Long.parseLong(lines[i].substring(0, space)));
            } catch (RuntimeException bad) { // no space, not a number, a bad %-escape
                LOG.log(Level.WARNING, file + " line " + (i + 1) + " is not \"<epoch> <key id>\"; skipped");
            }
        }
        return out;
    }

    /** Replaces the file with {@code keys} (key id → counter epoch), atomically. */
    void save(Map<String, Long> keys) throws IOException {
        StringBuilder text = new StringBuilder();
        keys.forEach((keyId, epoch) -> text.append(epoch).append(' ')
                .append(URLEncoder.encode(keyId, StandardCharsets.UTF_8)).append('\n'));
        Path dir = file.toAbsolutePath().getParent();
        OwnerOnly.createDirectories(dir);
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
