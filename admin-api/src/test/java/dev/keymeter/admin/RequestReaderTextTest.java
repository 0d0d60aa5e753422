package dev.keymeter.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.lifecycle.AdminFailure;
import org.junit.jupiter.api.Test;

/**
 * Text the wire cannot carry: a lone surrogate never survives protobuf's UTF-8 encoding, so the
 * reader's refusal is checked on the reader itself (an in-process caller could still hand one over).
 */
class RequestReaderTextTest {

    @Test
    void name_loneHighSurrogate_isRefusedNamingTheCodeUnit() {
        AdminFailure e = assertThrows(AdminFailure.class, () -> RequestReader.name("name", "ab\uD83D"));
        assertTrue(e.getMessage().contains("name: must be valid UTF-16: lone surrogate U+D83D"), e.getMessage());
    }

    @Test
    void user_loneLowSurrogate_isRefusedNamingTheCodeUnit() {
        AdminFailure e = assertThrows(AdminFailure.class, () -> RequestReader.user("owner_user", "\uDE00x"));
        assertTrue(e.getMessage().contains("owner_user: must be valid UTF-16: lone surrogate U+DE00"), e.getMessage());
    }

    @Test
    void name_surrogatePair_isOneCharacter() {
        assertEquals("\uD83D\uDE00".repeat(100), RequestReader.name("name", "\uD83D\uDE00".repeat(100)));
    }
}
