package dev.keymeter.lifecycle;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.Permissions;
import java.time.Instant;

/** The editable settings of a key: everything UpdateKey may change. */
public record KeySettings(String name, Permissions permissions, Limits limits, Instant expiresAt) {

    static KeySettings of(ApiKey key) {
        return new KeySettings(key.name(), key.permissions(), key.limits(), key.expiresAt());
    }

    public KeySettings withName(String newName) {
        return new KeySettings(newName, permissions, limits, expiresAt);
    }

    public KeySettings withPermissions(Permissions newPermissions) {
        return new KeySettings(name, newPermissions, limits, expiresAt);
    }

    public KeySettings withLimits(Limits newLimits) {
        return new KeySettings(name, permissions, newLimits, expiresAt);
    }

    public KeySettings withExpiresAt(Instant newExpiresAt) {
        return new KeySettings(name, permissions, limits, newExpiresAt);
    }
}
