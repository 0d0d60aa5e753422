package dev.keymeter.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * keymeter tokens (design §6): a 4-character prefix ({@code kma_}, {@code kmu_}, {@code kms_}), 30
 * base62 characters from {@link SecureRandom}, then the CRC32 of those 30 characters as 6 base62
 * characters: 40 characters in all. The checksum lets a typo or a forged token be refused without
 * a lookup; it is not a secret and adds no strength (the 30 random characters carry ~178 bits).
 *
 * <p>Thread-safe: {@link SecureRandom} is; {@link MessageDigest} instances are per call.
 */
public final class TokenFormat {

    public static final int RANDOM_LENGTH = 30;
    public static final int CHECKSUM_LENGTH = 6;
    public static final int PREFIX_LENGTH = 4;
    public static final int TOKEN_LENGTH = PREFIX_LENGTH + RANDOM_LENGTH + CHECKSUM_LENGTH;

    /** The base62 alphabet of the random part and the checksum, in checksum-digit order. */
    public static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static final char[] BASE62 = ALPHABET.toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFormat() {
    }

    /** A new random token of this type. */
    public static String generate(TokenType type) {
        String random = randomBase62(RANDOM_LENGTH);
        return type.prefix() + random + checksum(random);
    }

    /** {@code length} characters drawn uniformly from the base62 alphabet by {@link SecureRandom}. */
    public static String randomBase62(int length) {
        char[] out = new char[length];
        for (int i = 0; i < out.length; i++) {
            out[i] = BASE62[RANDOM.nextInt(BASE62.length)];
        }
        return new String(out);
    }

    /** True when {@code token} claims a keymeter prefix (whether or not it is well formed). */
    public static boolean hasKeymeterPrefix(String token) {
        return TokenType.ofToken(token) != null;
    }

    /**
     * True when {@code token} is a well-formed keymeter token: a known prefix, the right length,
     * base62 only, and a matching checksum.
     */
    public static boolean isWellFormed(String token) {
        if (token.length() != TOKEN_LENGTH || TokenType.ofToken(token) == null) {
            return false;
        }
        for (int i = PREFIX_LENGTH; i < TOKEN_LENGTH; i++) {
            if (!isBase62(token.charAt(i))) {
                return false;
            }
        }
        String random = token.substring(PREFIX_LENGTH, PREFIX_LENGTH + RANDOM_LENGTH);
        return checksum(random).equals(token.substring(PREFIX_LENGTH + RANDOM_LENGTH));
    }

    /** SHA-256 of the token's UTF-8 bytes: the only form in which a token is stored. */
    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * What people see instead of the token. A keymeter token shows its prefix, 3 random characters
     * and its last 4, e.g. {@code kmu_AbC…wXyZ}: 7 of 36 characters after the prefix. Any other
     * (legacy) token shows only its last 4, e.g. {@code …wXyZ}: it may be as short as 16 characters,
     * and its first and last 4 together would be half of it.
     */
    public static String display(String token) {
        if (hasKeymeterPrefix(token) && token.length() == TOKEN_LENGTH) {
            return token.substring(0, PREFIX_LENGTH + 3) + "…" + token.substring(token.length() - 4);
        }
        return legacyDisplay(token);
    }

    /**
     * The display form of a legacy token, from the token or from a display token stored by an earlier
     * version (which kept the first 4 characters too): {@code …} and the last 4 characters.
     */
    public static String legacyDisplay(String tokenOrDisplay) {
        return "…" + tokenOrDisplay.substring(Math.max(0, tokenOrDisplay.length() - 4));
    }

    static String checksum(String random) {
        CRC32 crc = new CRC32();
        crc.update(random.getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] out = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            out[i] = BASE62[(int) (value % 62)];
            value /= 62;
        }
        return new String(out);
    }

    private static boolean isBase62(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
}
