package dev.keymeter.lifecycle;

import java.security.SecureRandom;

/** Key identifiers: {@code key_} and 20 base62 characters. Not secret, never enough to authenticate. */
final class KeyIds {
    private static final char[] BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyIds() {
    }

    static String newId() {
        StringBuilder b = new StringBuilder("key_");
        for (int i = 0; i < 20; i++) {
            b.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return b.toString();
    }
}
