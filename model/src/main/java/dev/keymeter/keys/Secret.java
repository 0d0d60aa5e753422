package dev.keymeter.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * One live secret of a key, as stored: the SHA-256 digest of the token, never the token.
 *
 * @param sha256 32-byte digest of the token's UTF-8 bytes
 * @param displayToken the token's prefix and last 4 characters, for people to recognise it
 * @param expiresAt {@code null} for the current secret; the end of the grace period for a secret
 *     replaced by rotation
 */
public record Secret(byte[] sha256, String displayToken, Instant expiresAt) {

    public Secret {
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(displayToken, "displayToken");
        if (sha256.length != 32) {
            throw new IllegalArgumentException("sha256 must be 32 bytes, was " + sha256.length);
        }
        sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    public boolean isCurrent() {
        return expiresAt == null;
    }

    /** True when this secret still authenticates at {@code now}. */
    public boolean isLiveAt(Instant now) {
        return expiresAt == null || now.isBefore(expiresAt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && java.util.Arrays.equals(sha256, s.sha256)
                && displayToken.equals(s.displayToken) && Objects.equals(expiresAt, s.expiresAt);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return "Secret[" + displayToken + (expiresAt == null ? "" : ", expires " + expiresAt) + "]";
    }
}
