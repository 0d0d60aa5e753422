package dev.keymeter.replica;

import dev.keymeter.files.ExclusiveFileLock;
import dev.keymeter.files.OwnerOnly;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Exclusive ownership of a replica directory, held from open to close.
 *
 * <p>The map files have their own open markers, but a rebuild moves files aside, and it must never
 * move the files of a replica that another process (or another open in this process) is serving.
 * Holding this lock first means every later failure to open a map is about the files, not about a
 * live owner. The lock, within this process as across processes, is {@link ExclusiveFileLock}'s.
 */
final class DirectoryLock implements AutoCloseable {

    static final String FILE = "replica.lock";

    private final Path dir;
    private final ExclusiveFileLock lock;

    private DirectoryLock(Path dir, ExclusiveFileLock lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /** Creates {@code dir} when needed and locks it; refuses when someone else holds it. */
    static DirectoryLock acquire(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        OwnerOnly.createDirectories(absolute);
        return new DirectoryLock(absolute, ExclusiveFileLock.acquire(absolute.resolve(FILE),
                "the key replica in " + absolute));
    }

    Path dir() {
        return dir;
    }

    /** Releases the lock; the file stays (deleting it would race with the next owner's open). */
    @Override
    public void close() throws IOException {
        lock.close();
    }
}
