package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TokenBytes} must agree with {@link TokenFormat}, the control plane's definition of a token. */
class TokenBytesTest {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final TokenBytes bytes = new TokenBytes();

    @Test
    void load_generatedAndTamperedTokens_agreeWithTokenFormat() {
        Random random = new Random(42);
        for (int n = 0; n < 3_000; n++) {
            String token = TokenFormat.generate(TokenType.values()[n % 3]);
            if (n % 2 == 1) {
                int at = 4 + random.nextInt(36);
                token = token.substring(0, at) + ALPHABET.charAt(random.nextInt(62)) + token.substring(at + 1);
            }
            DenialReason expected = TokenFormat.isWellFormed(token) ? null : DenialReason.MALFORMED_TOKEN;
            assertEquals(expected, bytes.load(token, 0, token.length()), token);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kmu_", "kma_short", "kms_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void load_keymeterPrefixWrongLength_isMalformed(String token) {
        assertEquals(DenialReason.MALFORMED_TOKEN, bytes.load(token, 0, token.length()));
    }

    @Test
    void load_keymeterPrefixNonBase62_isMalformed() {
        String token = TokenFormat.generate(TokenType.USER);
        String tampered = token.substring(0, 10) + "-" + token.substring(11);
        assertEquals(DenialReason.MALFORMED_TOKEN, bytes.load(tampered, 0, tampered.length()));
    }

    /** A non-base62 character is refused on its own account, even under a checksum that matches it. */
    @ParameterizedTest
    @ValueSource(chars = {'-', '_', '~', '!', '/', '+', '=', '.', ':', '`', '{', '@', '[', '^'})
    void load_nonBase62UnderAValidChecksum_isMalformed(char odd) {
        String random = TokenFormat.randomBase62(30);
        for (int at : new int[] {0, 17, 29}) {
            String oddRandom = random.substring(0, at) + odd + random.substring(at + 1);
            String token = "kms_" + oddRandom + checksumOf(oddRandom);
            assertEquals(DenialReason.MALFORMED_TOKEN, bytes.load(token, 0, token.length()), token);
        }
        String fine = "kms_" + random + checksumOf(random);
        assertNull(bytes.load(fine, 0, fine.length()), "the checksum helper agrees with TokenBytes: " + fine);
    }

    /** The six base62 digits of the CRC32 of {@code random}, most significant first. */
    private static String checksumOf(String random) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(random.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] digits = new char[6];
        for (int i = 5; i >= 0; i--) {
            digits[i] = ALPHABET.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(digits);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk-legacy-token-0001", "kmx_almost-ours-but-not", "KMU_upper-case-is-legacy", "x"})
    void load_otherPrintableAscii_isLookedUp(String token) {
        assertNull(bytes.load(token, 0, token.length()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk legacy", "sk-é-legacy", "sk-\u0000", "sk-\u007f"})
    void load_spacesControlOrNonAscii_isMalformed(String token) {
        assertEquals(DenialReason.MALFORMED_TOKEN, bytes.load(token, 0, token.length()));
    }

    @Test
    void load_lengthLimit_512IsLookedUp513IsTooLong() {
        String max = "a".repeat(TokenBytes.MAX_LENGTH);
        assertNull(bytes.load(max, 0, max.length()));
        String over = max + "a";
        assertEquals(DenialReason.TOKEN_TOO_LONG, bytes.load(over, 0, over.length()));
    }

    @Test
    void sha256_ofRangeInsideHeader_equalsTokenFormatDigestOfToken() {
        String token = TokenFormat.generate(TokenType.SERVICE_ACCOUNT);
        String header = "Bearer " + token + "  ";
        assertNull(bytes.load(header, 7, 7 + token.length()));
        assertArrayEquals(TokenFormat.sha256(token), bytes.sha256());
        assertNull(bytes.load("legacy-0123456789", 0, 17));
        assertArrayEquals(TokenFormat.sha256("legacy-0123456789"), bytes.sha256());
    }
}
