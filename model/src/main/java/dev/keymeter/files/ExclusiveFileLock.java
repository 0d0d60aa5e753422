package dev.keymeter.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on one file, held from {@link #acquire} to {@link #close}, against other
 * processes and against other opens in this process. The replica's directory lock and each map
 * file's open marker are built on it.
 *
 * <p>Across processes the operating system's file lock does the work, and drops it when the owner
 * dies, however it dies. Within one process a file lock proves nothing (and on Linux, closing any
 * other channel on the file would silently drop it), so the files held by this process are also
 * tracked in a set, and a second acquire is refused before it touches the file.
 *
 * <p>Thread-safe: acquire and close may run on any threads; one instance is closed once.
 */
public final class ExclusiveFileLock implements AutoCloseable {

    private static final Set<Path> HELD_BY_THIS_PROCESS = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final FileChannel channel;

    private ExclusiveFileLock(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Creates the file when needed (owner-only) and locks it.
     *
     * @param what names what the lock guards in the refusal, e.g. {@code "the key replica in /data/replica"}
     * @throws IOException when this process or another holds it (the message says which), or the file
     *     cannot be opened
     */
    public static ExclusiveFileLock acquire(Path file, String what) throws IOException {
        Path path = file.toAbsolutePath().normalize();
        if (!HELD_BY_THIS_PROCESS.add(path)) {
            throw new IOException(what + " is already open in this process");
        }
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                OwnerOnly.restrict(path);
                if (channel.tryLock() == null) {
                    throw new IOException(what + " is open in another process");
                }
                return new ExclusiveFileLock(path, channel);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            HELD_BY_THIS_PROCESS.remove(path);
            throw e;
        }
    }

    /** The locked file, absolute and normalized. */
    public Path path() {
        return path;
    }

    /** The open channel holding the lock, for writing into the file (e.g. the owner's pid). */
    public FileChannel channel() {
        return channel;
    }

    /** Releases the lock; the file stays (deleting it would race with the next owner's acquire). */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            HELD_BY_THIS_PROCESS.remove(path);
        }
    }
}
