package dev.keymeter.chronicle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The file beside a map that says "a process has this map open".
 *
 * <p>It exists from open to clean close, so finding it at open time means the last owner died or
 * was killed with the map open. Its presence alone cannot tell a dead owner from a live one, and
 * recovering a map that a live process is using corrupts it, so the owner also holds an exclusive
 * lock on it: the operating system drops that lock when the owner dies, however it dies.
 *
 * <p>Within one process the lock proves nothing (and on Linux, closing any other channel on the
 * file would silently drop it), so markers held by this process are also tracked in a set and a
 * second open is refused before it touches the file.
 */
final class OpenMarker {

    private static final Set<Path> HELD_BY_THIS_PROCESS = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final FileChannel channel;
    private final boolean leftBehind;

    private OpenMarker(Path path, FileChannel channel, boolean leftBehind) {
        this.path = path;
        this.channel = channel;
        this.leftBehind = leftBehind;
    }

    /** Creates or takes over the marker; refuses if a live owner holds it. */
    static OpenMarker acquire(Path marker) throws IOException {
        Path path = marker.toAbsolutePath().normalize();
        if (!HELD_BY_THIS_PROCESS.add(path)) {
            throw new IOException(path + " is held: the map is already open in this process");
        }
        try {
            return lock(path);
        } catch (IOException | RuntimeException e) {
            HELD_BY_THIS_PROCESS.remove(path);
            throw e;
        }
    }

    private static OpenMarker lock(Path path) throws IOException {
        boolean leftBehind = Files.exists(path);
        FileChannel channel =
                FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() == null) {
                throw new IOException(path + " is locked: the map is open in another process");
            }
            channel.truncate(0);
            String owner = "pid " + ProcessHandle.current().pid() + "\n";
            channel.write(ByteBuffer.wrap(owner.getBytes(StandardCharsets.US_ASCII)));
            return new OpenMarker(path, channel, leftBehind);
        } catch (IOException | RuntimeException e) {
            channel.close();
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
            Files.deleteIfExists(path);
        } finally {
            release();
        }
    }

    /** The map could not be opened or closed cleanly: keep the marker so the next open recovers. */
    void keep() throws IOException {
        release();
    }

    private void release() throws IOException {
        try {
            channel.close();
        } finally {
            HELD_BY_THIS_PROCESS.remove(path);
        }
    }
}
