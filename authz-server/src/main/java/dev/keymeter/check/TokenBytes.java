package dev.keymeter.check;

import dev.keymeter.keys.TokenFormat;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32;

/**
 * One request's token, copied as ASCII bytes into a buffer that its thread reuses, with the shape
 * checks and the SHA-256 digest Check needs, none of which allocates.
 *
 * <p>The allocation-free twin of {@link TokenFormat}'s checks (whose methods build substrings and a
 * {@code MessageDigest} per call), from the same constants; {@code TokenBytesTest} holds the two to
 * the same answers.
 * Thread-confined: one instance per Check thread.
 */
final class TokenBytes {

    /** Longer tokens are refused unread; the control plane accepts no longer legacy token either. */
    static final int MAX_LENGTH = 512;

    private static final int PREFIX_LENGTH = TokenFormat.PREFIX_LENGTH;
    private static final int RANDOM_LENGTH = TokenFormat.RANDOM_LENGTH;
    private static final int CHECKSUM_LENGTH = TokenFormat.CHECKSUM_LENGTH;
    private static final int KEYMETER_LENGTH = TokenFormat.TOKEN_LENGTH;
    private static final byte[] BASE62 = TokenFormat.ALPHABET.getBytes(StandardCharsets.US_ASCII);
    /**
     * 1 for the ASCII codes of {@link #BASE62}, else 0. The check of a token's 36 base62 characters is
     * a table load per character, with no branch: a token's characters are random, so range tests per
     * character would mispredict on a large share of them, unless the same tokens recur often enough
     * for the branch predictor to learn them — which makes a small key set look faster than a large
     * one for no reason of its own.
     */
    private static final byte[] IS_BASE62 = new byte[128];

    static {
        for (byte c : BASE62) {
            IS_BASE62[c] = 1;
        }
    }

    private final byte[] bytes = new byte[MAX_LENGTH];
    private int length;
    private final byte[] digest = new byte[32];
    private final MessageDigest sha256;
    private final CRC32 crc = new CRC32();

    TokenBytes() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * Copies {@code value[from, to)} in. Returns null when the token may be looked up, or why not:
     * too long, not printable ASCII, or a keymeter prefix with a bad length or checksum.
     */
    DenialReason load(CharSequence value, int from, int to) {
        length = 0;
        if (to - from > MAX_LENGTH) {
            return DenialReason.TOKEN_TOO_LONG;
        }
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return DenialReason.MALFORMED_TOKEN;
            }
            bytes[i - from] = (byte) c;
        }
        length = to - from;
        return claimsKeymeterPrefix() && !isWellFormedKeymeterToken() ? DenialReason.MALFORMED_TOKEN : null;
    }

    /** {@code kma_}, {@code kmu_} or {@code kms_}: the token says it is ours, so its checksum must hold. */
    boolean claimsKeymeterPrefix() {
        return length >= PREFIX_LENGTH && bytes[0] == 'k' && bytes[1] == 'm' && bytes[3] == '_'
                && (bytes[2] == 'a' || bytes[2] == 'u' || bytes[2] == 's');
    }

    /** Length 40, base62 after the prefix, and the last 6 characters the base62 CRC32 of the 30 before them. */
    boolean isWellFormedKeymeterToken() {
        if (length != KEYMETER_LENGTH) {
            return false;
        }
        int base62 = 1;
        for (int i = PREFIX_LENGTH; i < KEYMETER_LENGTH; i++) {
            base62 &= IS_BASE62[bytes[i] & 0x7f]; // load() let only printable ASCII in: the mask changes nothing
        }
        if (base62 == 0) {
            return false;
        }
        crc.reset();
        crc.update(bytes, PREFIX_LENGTH, RANDOM_LENGTH);
        long value = crc.getValue();
        for (int i = KEYMETER_LENGTH - 1; i >= PREFIX_LENGTH + RANDOM_LENGTH; i--) {
            if (bytes[i] != BASE62[(int) (value % 62)]) {
                return false;
            }
            value /= 62;
        }
        return true;
    }

    /** The SHA-256 of the loaded token, in a buffer that the next call overwrites. */
    byte[] sha256() {
        sha256.update(bytes, 0, length);
        try {
            sha256.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException("a 32-byte buffer holds a SHA-256 digest", e);
        }
        return digest;
    }
}
