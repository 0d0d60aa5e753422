package dev.keymeter.chronicle;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Test helper run as a child JVM: locks the file named by its argument the way a live map owner
 * does, says "locked" on stdout, and holds the lock until its stdin closes.
 */
public final class HoldsFileLock {

    private HoldsFileLock() {}

    public static void main(String[] args) throws IOException {
        Path path = Path.of(args[0]);
        try (FileChannel channel =
                        FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            System.out.println("locked " + lock.isValid());
            System.out.flush();
            while (System.in.read() != -1) {
                // Hold the lock until the parent closes our stdin.
            }
        }
    }
}
