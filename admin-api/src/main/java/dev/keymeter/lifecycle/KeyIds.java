package dev.keymeter.lifecycle;

import dev.keymeter.keys.TextBound;
import dev.keymeter.keys.TokenFormat;

/** Key identifiers: {@code key_} and 20 base62 characters. Not secret, never enough to authenticate. */
final class KeyIds {
    private KeyIds() {
    }

    private static final String PREFIX = "key_";

    /** As long as {@link TextBound#KEY_ID}, the key id field of every sidecar's replica. */
    static String newId() {
        return PREFIX + TokenFormat.randomBase62(TextBound.KEY_ID.maxChars() - PREFIX.length());
    }
}
