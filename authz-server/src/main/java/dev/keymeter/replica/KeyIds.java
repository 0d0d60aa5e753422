package dev.keymeter.replica;

import dev.keymeter.keys.TextBound;

/**
 * Key ids as the key map's constant-size keys: the id's ASCII bytes, zero-padded to
 * {@link #MAX_CHARS}. Ids are {@code key_} and 20 base62 characters, 24 in all; anything printable
 * up to that length is accepted, so that the replica does not second-guess the control plane's
 * id format.
 */
final class KeyIds {

    static final int MAX_CHARS = TextBound.KEY_ID.maxChars();

    private KeyIds() {}

    /** True for 1 to {@link #MAX_CHARS} printable ASCII characters (no spaces). */
    static boolean valid(String keyId) {
        if (keyId == null || keyId.isEmpty() || keyId.length() > MAX_CHARS) {
            return false;
        }
        for (int i = 0; i < keyId.length(); i++) {
            char c = keyId.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /** The key map's key for a {@link #valid} id. */
    static byte[] toMapKey(String keyId) {
        byte[] key = new byte[MAX_CHARS];
        for (int i = 0; i < keyId.length(); i++) {
            key[i] = (byte) keyId.charAt(i);
        }
        return key;
    }
}
