package dev.keymeter.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UnsafeTextTest {

    @Test
    void refused_everyListedCodePoint_isRefused() {
        int[] listed = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F,
            0x061C, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x2028, 0x2029, 0x0000, 0x001B, 0x007F, 0x0085,
            0xD800, 0xDFFF, 0xE0001};
        for (int codePoint : listed) {
            assertTrue(UnsafeText.refused(codePoint), UnsafeText.name(codePoint));
        }
    }

    @Test
    void refused_lettersMarksSpacesAndEmoji_areAccepted() {
        int[] accepted = {'a', ' ', 0x00E9, 0x0301, 0x6F22, 0x0645, 0xFE0F, 0x3000, 0x1F600};
        for (int codePoint : accepted) {
            assertFalse(UnsafeText.refused(codePoint), UnsafeText.name(codePoint));
        }
    }

    @Test
    void kind_namesWhatTheCharacterIs() {
        assertEquals("a bidi control", UnsafeText.kind(0x202E));
        assertEquals("a zero-width character", UnsafeText.kind(0xFEFF));
        assertEquals("a line or paragraph separator", UnsafeText.kind(0x2028));
        assertEquals("a control character", UnsafeText.kind(0x0085));
        assertEquals("a lone surrogate", UnsafeText.kind(0xD83D));
        assertEquals("an invisible format character", UnsafeText.kind(0x00AD));
    }

    @Test
    void escaped_supplementaryAndLoneSurrogates_asUtf16Escapes_cleanTextUnchanged() {
        assertEquals("a\\udb40\\udc01b\\ud83dc", UnsafeText.escaped("a\uDB40\uDC01b\uD83Dc"));
        String clean = "Zoë \uD83D\uDE00";
        assertSame(clean, UnsafeText.escaped(clean));
    }

    @Test
    void escapedJson_keepsThePrintersLineBreaks_escapesTheRest() {
        assertEquals("{\n  \"name\": \"a\\u202eb\\u0085c\"\n}", UnsafeText.escapedJson("{\n  \"name\": \"a\u202Eb\u0085c\"\n}"));
    }

    @Test
    void textBound_countsCodePoints_asciiFieldsRefuseOthers() {
        assertTrue(TextBound.NAME.holds("\uD83D\uDE00".repeat(100)));
        assertFalse(TextBound.NAME.holds("\uD83D\uDE00".repeat(101)));
        assertFalse(TextBound.PROJECT_ID.holds("caf\u00E9"));
        assertEquals("at most 128 characters", TextBound.USER.rule());
    }
}
