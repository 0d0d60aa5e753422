package dev.keymeter.replica;

import java.nio.charset.StandardCharsets;

/**
 * A string in a fixed-size field: its length in bytes (one byte for fields of up to 255 bytes, two
 * little-endian bytes for larger ones), then up to {@code max} bytes of UTF-8, then zeros. Every
 * record keeps the same size whatever the text, as Chronicle's constant-size values need (design §5).
 *
 * <p>Reading hands back the caller's previous string when the bytes spell it, so that a Check
 * thread looking up the same key again and again allocates no new strings.
 */
final class FixedText {

    private FixedText() {}

    private static final int ONE_BYTE_MAX = 0xff;

    /** Bytes a field of at most {@code max} text bytes takes. */
    static int fieldBytes(int max) {
        return lengthBytes(max) + max;
    }

    private static int lengthBytes(int max) {
        return max > ONE_BYTE_MAX ? 2 : 1;
    }

    private static int length(byte[] record, int offset, int max) {
        int length = record[offset] & 0xff;
        return lengthBytes(max) == 1 ? length : length | (record[offset + 1] & 0xff) << 8;
    }

    /** Writes {@code text} ({@code null} as empty) into the field at {@code offset}. */
    static void write(byte[] record, int offset, int max, String text) {
        byte[] bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > max) {
            throw new IllegalArgumentException("text of " + bytes.length + " bytes exceeds " + max);
        }
        int from = offset + lengthBytes(max);
        record[offset] = (byte) bytes.length;
        if (from - offset == 2) {
            record[offset + 1] = (byte) (bytes.length >>> 8);
        }
        System.arraycopy(bytes, 0, record, from, bytes.length);
        java.util.Arrays.fill(record, from + bytes.length, from + max, (byte) 0);
    }

    /** True when the field's length byte is within its size: the field can be read. */
    static boolean valid(byte[] record, int offset, int max) {
        return length(record, offset, max) <= max;
    }

    /**
     * The field's text, {@code null} when empty; {@code previous} itself when it is the same text.
     * Call {@link #valid} first.
     */
    static String read(byte[] record, int offset, int max, String previous) {
        int length = length(record, offset, max);
        if (length == 0) {
            return null;
        }
        int from = offset + lengthBytes(max);
        if (previous != null && spells(record, from, length, previous)) {
            return previous;
        }
        return new String(record, from, length, StandardCharsets.UTF_8);
    }

    /** ASCII fast path only: a string with other characters never matches and is decoded anew. */
    private static boolean spells(byte[] record, int from, int length, String text) {
        if (text.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80 || record[from + i] != (byte) c) {
                return false;
            }
        }
        return true;
    }
}
