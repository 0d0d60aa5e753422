package dev.keymeter.quota;

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
 * Exclusive ownership of a counter directory, and its "open" marker.
 *
 * <p>The owner holds an exclusive lock on {@value ChronicleCounterStore#LOCK_FILE} from open to
 * close; the operating system drops it when the process dies, however it dies. Within one process
 * a set of held directories stands in for it (a file lock cannot tell two opens of one process
 * apart, and on Linux closing any other channel on the file would silently drop it).
 *
 * <p>Under that lock, {@value ChronicleCounterStore#OPEN_MARKER} is created before the map is
 * opened and deleted after it was closed cleanly: finding it at open time means the last owner died
 * with the map open, and the map must be opened through Chronicle's recovery (which needs the
 * exclusive access the lock gives).
 */
final class CounterDirectory {

    private static final Set<Path> HELD_BY_THIS_PROCESS = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel lockChannel;
    private final boolean leftOpen;

    private CounterDirectory(Path dir, FileChannel lockChannel, boolean leftOpen) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.leftOpen = leftOpen;
    }

    /** Creates {@code dir} when needed and locks it; refuses when another open holds it. */
    static CounterDirectory acquire(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        Files.createDirectories(absolute);
        if (!HELD_BY_THIS_PROCESS.add(absolute)) {
            throw new IOException("the counter store in " + absolute + " is already open in this process");
        }
        FileChannel channel = null;
        try {
            Path lockFile = absolute.resolve(ChronicleCounterStore.LOCK_FILE);
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                throw new IOException("the counter store in " + absolute + " is open in another process ("
                        + owner(lockFile) + "): one process owns a counter file (design §5)");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            boolean leftOpen = Files.exists(absolute.resolve(ChronicleCounterStore.OPEN_MARKER));
            return new CounterDirectory(absolute, channel, leftOpen);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            HELD_BY_THIS_PROCESS.remove(absolute);
            throw e;
        }
    }

    private static String owner(Path lockFile) {
        try {
            String text = Files.readString(lockFile, StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? "owner unknown" : text;
        } catch (IOException | RuntimeException e) {
            return "owner unknown";
        }
    }

    Path dir() {
        return dir;
    }

    /** Whether the open marker was there when the lock was taken: the last owner did not close. */
    boolean leftOpen() {
        return leftOpen;
    }

    /** Creates the open marker (before the map is opened or created). */
    void markOpen() throws IOException {
        Files.write(dir.resolve(ChronicleCounterStore.OPEN_MARKER),
                ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Clean close: the marker goes, then the lock. */
    void closeClean() throws IOException {
        try {
            Files.deleteIfExists(dir.resolve(ChronicleCounterStore.OPEN_MARKER));
        } finally {
            release();
        }
    }

    /** The map may not be consistent on disk: keep the marker so that the next open recovers. */
    void release() throws IOException {
        try {
            lockChannel.close();
        } finally {
            HELD_BY_THIS_PROCESS.remove(dir);
        }
    }
}
