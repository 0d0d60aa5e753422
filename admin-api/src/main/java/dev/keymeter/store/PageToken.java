package dev.keymeter.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Opaque page tokens for keyset pagination: the sort position of the last item of a page, so the
 * next page starts strictly after it and inserts between calls neither repeat nor skip items.
 *
 * <p>A token is base64url of {@code "<listing>:<position>:<id>"}; the listing letter makes a token
 * of one listing malformed for another. Callers must not parse tokens: the format may change.
 */
final class PageToken {

    /**
     * Where the previous page ended: a sort position (epoch millis, or an audit id) and an id (for
     * the audit listing, the fingerprint of the filters the token was issued for: {@code AuditFilter}).
     */
    record Cursor(long position, String id) {
    }

    /** The listings that hand out tokens. */
    enum Listing {
        KEYS('k'),
        PROJECTS('p'),
        AUDIT('a');

        private final char letter;

        Listing(char letter) {
            this.letter = letter;
        }
    }

    static final String MALFORMED = "page_token: malformed";

    private PageToken() {
    }

    static String encode(Listing listing, Cursor cursor) {
        String plain = listing.letter + ":" + cursor.position() + ":" + cursor.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor of {@code token}; {@code null} for the first page (a null or empty token). */
    static Cursor decode(Listing listing, String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        try {
            String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = plain.split(":", 3);
            if (parts.length != 3 || parts[0].length() != 1 || parts[0].charAt(0) != listing.letter) {
                throw new InvalidPageException(MALFORMED);
            }
            return new Cursor(Long.parseLong(parts[1]), parts[2]);
        } catch (IllegalArgumentException e) {
            // Base64 and number errors are IllegalArgumentExceptions too; one message for all of them.
            throw new InvalidPageException(MALFORMED, e);
        }
    }

    /**
     * A page from {@code rows} fetched with a limit of {@code pageSize + 1}: the extra row, if
     * present, only proves that another page exists.
     */
    static <T> Page<T> page(List<T> rows, int pageSize, Listing listing, Function<T, Cursor> cursorOf) {
        if (rows.size() <= pageSize) {
            return new Page<>(rows, "");
        }
        List<T> items = rows.subList(0, pageSize);
        return new Page<>(items, encode(listing, cursorOf.apply(items.get(pageSize - 1))));
    }

    static void requirePageSize(int pageSize) {
        if (pageSize < 1) {
            throw new InvalidPageException("page_size: must be at least 1, was " + pageSize);
        }
    }
}
