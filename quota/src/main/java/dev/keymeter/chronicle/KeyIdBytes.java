package dev.keymeter.chronicle;

import dev.keymeter.keys.TextBound;

/**
 * Key ids as the constant-size keys of the process's map files (the replica's key map, the counter
 * store): the id's ASCII bytes, zero-padded to {@link #MAX_CHARS}. Ids are {@code key_} and 20 base62
 * characters, 24 in all; anything printable up to that length is accepted, so that the files do not
 * second-guess the control plane's id format. Stateless.
 */
public final class KeyIdBytes {

    /** The longest key id a map file holds, in characters (one byte each): the admin API's bound. */
    public static final int MAX_CHARS = TextBound.KEY_ID.maxChars();

    private KeyIdBytes() {
    }

    /** True for 1 to {@link #MAX_CHARS} printable ASCII characters (no spaces). */
    public static boolean valid(String keyId) {
        return keyId != null && !keyId.isEmpty() && keyId.length() <= MAX_CHARS && firstUnprintable(keyId) < 0;
    }

    /**
     * Writes a key id into {@code target[at, at + MAX_CHARS)}, zero-padded.
     *
     * @throws IllegalArgumentException naming the id and what is wrong with it, when it is not {@link #valid}
     */
    public static void write(String keyId, byte[] target, int at) {
        requireValid(keyId);
        for (int i = 0; i < MAX_CHARS; i++) {
            target[at + i] = i < keyId.length() ? (byte) keyId.charAt(i) : 0;
        }
    }

    /** A {@link #valid} key id as a map key of exactly {@link #MAX_CHARS} bytes. */
    public static byte[] of(String keyId) {
        byte[] key = new byte[MAX_CHARS];
        write(keyId, key, 0);
        return key;
    }

    private static void requireValid(String keyId) {
        if (keyId == null || keyId.isEmpty() || keyId.length() > MAX_CHARS) {
            throw new IllegalArgumentException("key id " + (keyId == null ? "null" : "\"" + keyId + "\" ("
                    + keyId.length() + " characters)") + " is not 1 to " + MAX_CHARS + " characters long");
        }
        int at = firstUnprintable(keyId);
        if (at >= 0) {
            throw new IllegalArgumentException("key id \"" + keyId + "\" has a character other than printable"
                    + " ASCII at index " + at);
        }
    }

    private static int firstUnprintable(String keyId) {
        for (int i = 0; i < keyId.length(); i++) {
            char c = keyId.charAt(i);
            if (c <= ' ' || c > '~') {
                return i;
            }
        }
        return -1;
    }
}
