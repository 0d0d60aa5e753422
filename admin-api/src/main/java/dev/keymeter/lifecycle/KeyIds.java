package dev.keymeter.lifecycle;

import dev.keymeter.keys.TokenFormat;

/** Key identifiers: {@code key_} and 20 base62 characters. Not secret, never enough to authenticate. */
final class KeyIds {
    private KeyIds() {
    }

    static String newId() {
        return "key_" + TokenFormat.randomBase62(20);
    }
}
