package dev.keymeter.lifecycle;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.store.StoreReader;

/** Finds a key or refuses with NOT_FOUND naming it. */
final class KeyLookup {
    private KeyLookup() {
    }

    static ApiKey require(StoreReader reader, String keyId) {
        return reader.findKey(keyId).orElseThrow(() -> AdminFailure.notFound("key " + keyId));
    }
}
