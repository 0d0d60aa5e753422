package dev.keymeter.chronicle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The first bytes of a Chronicle Map file, checked before Chronicle sees them.
 *
 * <p>A persisted map starts with an 8-byte checksum and a 4-byte little-endian size word, then the
 * self-bootstrapping header (the builder's settings) of that size. The creator writes the size
 * word with its top bit ("not complete") set and clears it when the file is ready. Chronicle
 * checks the checksum itself and fails at once when it does not match, but a size word of zero, or
 * with the top bit set, or one that claims more bytes than the file has, makes it wait 60 s for a creator
 * before failing (measured on 2026.1: garbage over the first 64 bytes took 60.2 s to fail). Under
 * the open marker's lock no creator can be alive, so waiting cannot help: this check refuses such
 * a file at once.
 */
final class ChronicleHeader {

    /** Where Chronicle's size word sits: after the 8-byte header checksum. */
    private static final int SIZE_WORD_OFFSET = 8;
    private static final int PREFIX_BYTES = SIZE_WORD_OFFSET + Integer.BYTES;
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int SIZE_MASK = (1 << 30) - 1;

    private ChronicleHeader() {}

    /**
     * Refuses an existing, non-empty file whose header never became ready or does not fit in the
     * file, with an {@link UnusableMapFileException}. A missing or empty file passes: Chronicle
     * creates a new map there.
     */
    static void requireComplete(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return;
        }
        long length = Files.size(file);
        if (length < PREFIX_BYTES) {
            throw new UnusableMapFileException(file + " is not a Chronicle Map file: only " + length + " bytes", true);
        }
        int sizeWord = readSizeWord(file);
        if ((sizeWord & NOT_COMPLETE) != 0) {
            throw new UnusableMapFileException(file + " has an incomplete header: its creator never finished it", true);
        }
        if ((sizeWord & SIZE_MASK) == 0) {
            // Chronicle reads a zero size as "the creator has not written the header yet" and waits.
            throw new UnusableMapFileException(file + " is not a Chronicle Map file: its header is empty", true);
        }
        long headerEnd = PREFIX_BYTES + (long) (sizeWord & SIZE_MASK);
        if (headerEnd > length) {
            throw new UnusableMapFileException(file + " is not a Chronicle Map file: its header claims "
                    + headerEnd + " bytes, the file has " + length, false);
        }
    }

    private static int readSizeWord(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, SIZE_WORD_OFFSET + buffer.position()) < 0) {
                    throw new IOException(file + " ended inside its header");
                }
            }
        }
        return buffer.flip().getInt();
    }
}
