package dev.keymeter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keymeter.store.PageToken.Cursor;
import dev.keymeter.store.PageToken.Listing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageTokenTest {

    @Test
    void decode_encodedCursor_returnsIt() {
        Cursor cursor = new Cursor(1_740_823_730_123L, "key_with:colon");

        assertEquals(cursor, PageToken.decode(Listing.KEYS, PageToken.encode(Listing.KEYS, cursor)));
    }

    @Test
    void decode_emptyOrNull_meansFirstPage() {
        assertNull(PageToken.decode(Listing.KEYS, ""));
        assertNull(PageToken.decode(Listing.KEYS, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"!", "a2V5", "azpub3RhbnVtYmVyOmlk", "eDoxOmlk"})
    void decode_garbage_throwsMalformed(String token) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PageToken.decode(Listing.KEYS, token));

        assertEquals("page_token: malformed", e.getMessage());
    }

    @Test
    void decode_tokenOfAnotherListing_throwsMalformed() {
        String auditToken = PageToken.encode(Listing.AUDIT, new Cursor(7, ""));

        assertThrows(IllegalArgumentException.class, () -> PageToken.decode(Listing.KEYS, auditToken));
    }
}
