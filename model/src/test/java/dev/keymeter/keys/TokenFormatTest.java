package dev.keymeter.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TokenFormatTest {

    @ParameterizedTest
    @EnumSource(TokenType.class)
    void generate_isFortyCharsWithPrefixAndValidChecksum(TokenType type) {
        String token = TokenFormat.generate(type);
        assertEquals(40, token.length());
        assertTrue(token.startsWith(type.prefix()));
        assertTrue(TokenFormat.isWellFormed(token));
        assertEquals(type, TokenType.ofToken(token));
    }

    @Test
    void isWellFormed_anySingleCharacterChanged_isRefused() {
        String token = TokenFormat.generate(TokenType.USER);
        for (int i = TokenFormat.PREFIX_LENGTH; i < token.length(); i++) {
            char c = token.charAt(i);
            char other = c == 'a' ? 'b' : 'a';
            String tampered = token.substring(0, i) + other + token.substring(i + 1);
            assertFalse(TokenFormat.isWellFormed(tampered), "position " + i);
        }
        assertFalse(TokenFormat.isWellFormed(token.substring(0, 39)));
        assertFalse(TokenFormat.isWellFormed("kmx_" + token.substring(4)));
        assertFalse(TokenFormat.isWellFormed(token.substring(0, 10) + "-" + token.substring(11)));
    }

    @Test
    void generate_tenThousandTokens_areDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(seen.add(TokenFormat.generate(TokenType.SERVICE_ACCOUNT)));
        }
    }

    @Test
    void display_showsPrefixThreeCharsAndLastFour_only() {
        String token = TokenFormat.generate(TokenType.ADMIN);
        String shown = TokenFormat.display(token);
        assertEquals(token.substring(0, 7) + "…" + token.substring(36), shown);
        assertEquals("…wxyz", TokenFormat.display("sk-old-token-abcdwxyz"));
    }

    @Test
    void display_ofTheShortestLegacyToken_showsFourOfItsCharacters_alsoFromAnOlderStoredForm() {
        assertEquals("…5678", TokenFormat.display("abcdefgh12345678"));
        assertEquals("…5678", TokenFormat.legacyDisplay("abcd…5678")); // as an earlier version stored it
    }

    @Test
    void sha256_isThirtyTwoBytesAndStable() {
        byte[] a = TokenFormat.sha256("kmu_x");
        assertEquals(32, a.length);
        assertTrue(java.util.Arrays.equals(a, TokenFormat.sha256("kmu_x")));
    }

    @Test
    void tokenTypeOf_kindAndOwner_choosesPrefix() {
        assertEquals(TokenType.ADMIN, TokenType.of(KeyKind.ADMIN, OwnerType.USER));
        assertEquals(TokenType.USER, TokenType.of(KeyKind.PROJECT, OwnerType.USER));
        assertEquals(TokenType.SERVICE_ACCOUNT, TokenType.of(KeyKind.PROJECT, OwnerType.SERVICE_ACCOUNT));
    }
}
