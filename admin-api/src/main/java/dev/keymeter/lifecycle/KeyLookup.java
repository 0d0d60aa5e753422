package dev.keymeter.lifecycle;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.store.StoreReader;

/** Finds keys, or refuses naming the key or the name. */
final class KeyLookup {
    private KeyLookup() {
    }

    static ApiKey require(StoreReader reader, String keyId) {
        return reader.findKey(keyId).orElseThrow(() -> AdminFailure.notFound("key " + keyId));
    }

    /** Refuses with ALREADY_EXISTS when {@code name} is taken in the project (among admin keys for null). */
    static void requireNameFree(StoreReader reader, String projectId, String name) {
        if (reader.findKeyByName(projectId, name).isPresent()) {
            throw AdminFailure.alreadyExists("name: a key named '" + name + "' already exists in "
                    + (projectId == null ? "the organization's admin keys" : "project " + projectId));
        }
    }
}
