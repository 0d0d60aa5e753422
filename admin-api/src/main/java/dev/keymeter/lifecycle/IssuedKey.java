package dev.keymeter.lifecycle;

import dev.keymeter.keys.ApiKey;
import java.util.Objects;

/**
 * A key together with the token just issued for it. The token exists only in this object, on its
 * way to the one response that shows it; it is never stored or logged.
 */
public record IssuedKey(ApiKey key, String token) {
    public IssuedKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(token, "token");
    }

    @Override
    public String toString() {
        return "IssuedKey[" + key.id() + "]";
    }
}
