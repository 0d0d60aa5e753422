package dev.keymeter.chronicle;

import dev.keymeter.files.ExclusiveFileLock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file beside a map that says "a process has this map open".
 *
 * <p>It exists from open to clean close, so finding it at open time means the last owner died or
 * was killed with the map open. Its presence alone cannot tell a dead owner from a live one, and
 * recovering a map that a live process is using corrupts it, so the owner also holds an exclusive
 * lock on it: the operating system drops that lock when the owner dies, however it dies.
 *
 * <p>The lock, within this process as across processes, is {@link ExclusiveFileLock}'s.
 */
final class OpenMarker {

    private final ExclusiveFileLock lock;
    private final boolean leftBehind;

    private OpenMarker(ExclusiveFileLock lock, boolean leftBehind) {
        this.lock = lock;
        this.leftBehind = leftBehind;
    }

    /** Creates or takes over the marker; refuses if a live owner holds it. */
    static OpenMarker acquire(Path marker) throws IOException {
        boolean leftBehind = Files.exists(marker);
        ExclusiveFileLock lock = ExclusiveFileLock.acquire(marker, "the map whose open marker is " + marker);
        try {
            FileChannel channel = lock.channel();
            channel.truncate(0);
            String owner = "pid " + ProcessHandle.current().pid() + "\n";
            channel.write(ByteBuffer.wrap(owner.getBytes(StandardCharsets.US_ASCII)));
            return new OpenMarker(lock, leftBehind);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Whether the marker was already there: the previous owner did not close cleanly. */
    boolean leftBehind() {
        return leftBehind;
    }

    /** Clean close: the marker goes, then the lock. */
    void remove() throws IOException {
        try {
            Files.deleteIfExists(lock.path());
        } finally {
            lock.close();
        }
    }

    /** The map could not be opened or closed cleanly: keep the marker so the next open recovers. */
    void keep() throws IOException {
        lock.close();
    }
}
