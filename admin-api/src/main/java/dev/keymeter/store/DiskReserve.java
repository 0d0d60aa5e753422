package dev.keymeter.store;

import dev.keymeter.files.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Room kept on the data directory's disk for the writes that must not fail when it fills: a file
 * of zeros ({@value #FILE_NAME}) written at start. When a revocation fails because the disk is full,
 * the file is deleted and the revocation retried in the room it held; other writes are refused
 * while the room is given away, and each of them first tries to take it back, so that the reserve
 * returns (and they proceed) as soon as space does.
 *
 * <p>The file is written, not merely sized: a sparse file would hold no blocks. It is written to a
 * temporary name and renamed, so a half-written reserve never passes for a whole one. Thread-safe.
 */
public final class DiskReserve {

    public static final String FILE_NAME = "disk-reserve";
    private static final int CHUNK = 64 * 1024;

    private final Path file;
    private final long bytes;
    private boolean held;

    private DiskReserve(Path file, long bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** No reserve ({@code --disk-reserve 0}, or a store on another machine's disk). */
    public static DiskReserve none() {
        return new DiskReserve(null, 0);
    }

    /** A reserve of {@code bytes} in {@code directory}, taken now if the disk has the room. */
    public static DiskReserve in(Path directory, long bytes) {
        DiskReserve reserve = new DiskReserve(directory.resolve(FILE_NAME), bytes);
        if (bytes > 0) {
            reserve.take();
        }
        return reserve;
    }

    /** Whether there is a reserve to give (false for {@link #none}). */
    public boolean enabled() {
        return bytes > 0;
    }

    /** Where the reserve lives, for log lines; empty for {@link #none}. */
    public String directory() {
        return file == null ? "" : file.getParent().toString();
    }

    /** Whether the room is held now (always true for {@link #none}: nothing was given away). */
    public synchronized boolean held() {
        return !enabled() || held;
    }

    /** Holds the room again if it was given away; false when the disk still has no room for it. */
    public synchronized boolean take() {
        if (held()) {
            return true;
        }
        Path partial = file.resolveSibling(FILE_NAME + ".partial");
        try {
            if (Files.exists(file) && Files.size(file) == bytes) {
                held = true;
                return true;
            }
            write(partial);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            held = true;
        } catch (IOException noRoom) {
            try {
                Files.deleteIfExists(partial); // give back what the attempt took
            } catch (IOException ignored) {
                // nothing more to do: the next attempt replaces it
            }
        }
        return held;
    }

    /** Gives the room away (deletes the file); false when there was none to give. */
    public synchronized boolean give() {
        if (held()) {
            if (!enabled()) {
                return false;
            }
            try {
                Files.deleteIfExists(file);
                held = false;
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    private void write(Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(target, Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OwnerOnly.FILE))) {
            ByteBuffer zeros = ByteBuffer.allocate(CHUNK);
            for (long written = 0; written < bytes; ) {
                zeros.clear().limit((int) Math.min(CHUNK, bytes - written));
                written += channel.write(zeros);
            }
            channel.force(true);
        }
    }

    /** A refusal of {@code action} while the room is given away: a full disk, located at the reserve. */
    public StoreFullException refusal(String action) {
        return new StoreFullException(action + " refused: the disk is full and its reserve is kept for revocations",
                null).at(directory());
    }
}
