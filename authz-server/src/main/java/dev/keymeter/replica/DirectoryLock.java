package dev.keymeter.replica;

import java.io.IOException;
import java.nio.channels.FileChannel;
import dev.keymeter.files.OwnerOnly;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive ownership of a replica directory, held from open to close.
 *
 * <p>The map files have their own open markers, but a rebuild moves files aside, and it must never
 * move the files of a replica that another process (or another open in this process) is serving.
 * Holding this lock first means every later failure to open a map is about the files, not about a
 * live owner. The operating system drops the lock when the process dies, however it dies; within
 * one process a set of held directories stands in for it (a file lock cannot tell two opens of
 * one process apart).
 */
final class DirectoryLock implements AutoCloseable {

    static final String FILE = "replica.lock";

    private static final Set<Path> HELD_BY_THIS_PROCESS = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;

    private DirectoryLock(Path dir, FileChannel channel) {
        this.dir = dir;
        this.channel = channel;
    }

    /** Creates {@code dir} when needed and locks it; refuses when someone else holds it. */
    static DirectoryLock acquire(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        OwnerOnly.createDirectories(absolute);
        if (!HELD_BY_THIS_PROCESS.add(absolute)) {
            throw new IOException("the key replica in " + absolute + " is already open in this process");
        }
        try {
            FileChannel channel = FileChannel.open(absolute.resolve(FILE),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            OwnerOnly.restrict(absolute.resolve(FILE));
            if (lockedElsewhere(channel)) {
                channel.close();
                throw new IOException("the key replica in " + absolute + " is open in another process");
            }
            return new DirectoryLock(absolute, channel);
        } catch (IOException | RuntimeException e) {
            HELD_BY_THIS_PROCESS.remove(absolute);
            throw e;
        }
    }

    private static boolean lockedElsewhere(FileChannel channel) throws IOException {
        try {
            return channel.tryLock() == null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    /** Releases the lock; the file stays (deleting it would race with the next owner's open). */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            HELD_BY_THIS_PROCESS.remove(dir);
        }
    }
}
