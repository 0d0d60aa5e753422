package dev.keymeter.admin;

import dev.keymeter.keys.TokenFormat;
import dev.keymeter.lifecycle.AdminFailure;

/** The form of a token offered for import as a legacy key. Messages never repeat the token. */
final class LegacyTokens {
    static final int MIN_LENGTH = 16;
    static final int MAX_LENGTH = 512;

    private LegacyTokens() {
    }

    static String check(String token) {
        if (token.length() < MIN_LENGTH || token.length() > MAX_LENGTH) {
            throw AdminFailure.invalid("token", "must be " + MIN_LENGTH + "–" + MAX_LENGTH
                    + " characters, was " + token.length());
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw AdminFailure.invalid("token", "must be printable ASCII without spaces");
        }
        if (TokenFormat.hasKeymeterPrefix(token) && !TokenFormat.isWellFormed(token)) {
            throw AdminFailure.invalid("token", "starts with a keymeter prefix but fails its checksum: "
                    + "it could never authenticate (the sidecar refuses such tokens before any lookup)");
        }
        return token;
    }
}
