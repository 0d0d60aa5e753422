package dev.keymeter.server;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The JVM's temporary directory ({@code java.io.tmpdir}), checked before a process mode opens
 * anything: SQLite's JDBC driver and Netty unpack their native libraries there. On a read-only root
 * without a writable {@code /tmp} (a container run {@code --read-only}), the driver would otherwise
 * fail deep inside the store's start with its own stack traces; so would a {@code noexec} one (what
 * {@code docker run --tmpfs /tmp} mounts by default). This names the directory and the fix.
 */
final class TempDirectory {

    private static final Path PROC_MOUNTS = Path.of("/proc/self/mounts");

    private TempDirectory() {
    }

    /** The directory {@code java.io.tmpdir} names now (read each time: tests change it). */
    static Path current() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Creates and deletes one file in {@code dir}, and refuses a {@code noexec} mount, or says why it
     * cannot use {@code dir} and how to fix it. The exception carries no cause: its message is the
     * whole answer the start-up error prints.
     */
    static void requireUsable(Path dir) throws IOException {
        requireUsable(dir, Files.isReadable(PROC_MOUNTS) ? Files.readString(PROC_MOUNTS) : "");
    }

    /** As {@link #requireUsable(Path)}, with the text of {@code /proc/self/mounts} given. */
    static void requireUsable(Path dir, String mounts) throws IOException {
        Path probe;
        try {
            probe = Files.createTempFile(dir, ".keymeter-", ".probe");
        } catch (IOException e) {
            throw new IOException("the temporary directory " + dir + " (java.io.tmpdir) " + reason(dir, e)
                    + "; native libraries are unpacked there: give the process a writable " + dir
                    + " (docker run --tmpfs " + dir + ":exec; Kubernetes: an emptyDir volume), or set"
                    + " KEYMETER_JAVA_OPTS=-Djava.io.tmpdir=<a writable directory>");
        }
        Files.deleteIfExists(probe);
        Optional<String> noexec = MountOptions.noexecMountOf(mounts, dir.toRealPath());
        if (noexec.isPresent()) {
            throw new IOException("the temporary directory " + dir + " (java.io.tmpdir) is on a noexec mount ("
                    + noexec.get() + "); native libraries are unpacked there and cannot be loaded from it: mount "
                    + noexec.get() + " with exec (docker run --tmpfs " + dir + ":exec), or set"
                    + " KEYMETER_JAVA_OPTS=-Djava.io.tmpdir=<a directory on a mount without noexec>");
        }
    }

    private static String reason(Path dir, IOException e) {
        if (!Files.exists(dir)) {
            return "does not exist";
        }
        if (!Files.isDirectory(dir)) {
            return "is not a directory";
        }
        String why = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
        return "is not writable" + (why == null ? "" : " (" + why + ")");
    }
}
