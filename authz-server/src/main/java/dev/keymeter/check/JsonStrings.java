package dev.keymeter.check;

/**
 * Decodes the inside of a JSON string (RFC 8259 §7): the two-character escapes and {@code \}{@code u}
 * followed by four hex digits, surrogate pairs included. Strict, because the result names what a
 * request is charged for: a bad escape, a lone surrogate or a control character makes the string
 * unreadable ({@code null}) rather than something close to it. Stateless.
 */
final class JsonStrings {

    private JsonStrings() {
    }

    /** The decoded text of {@code raw} (the characters between the quotes), or null if it is not valid. */
    static String decode(String raw) {
        if (raw.indexOf('\\') < 0) {
            return readable(raw) ? raw : null; // the common case: nothing to decode
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i >= raw.length()) {
                return null;
            }
            int decoded = escape(raw, i);
            if (decoded < 0) {
                return null;
            }
            out.append((char) decoded);
            if (raw.charAt(i) == 'u') {
                i += 4;
            }
        }
        String text = out.toString();
        return readable(text) ? text : null;
    }

    /** The character escaped at {@code raw[i]} (the character after the backslash), or -1. */
    private static int escape(String raw, int i) {
        return switch (raw.charAt(i)) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '/' -> '/';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'u' -> i + 4 < raw.length() ? hex4(raw, i + 1) : -1;
            default -> -1;
        };
    }

    private static int hex4(String raw, int from) {
        int value = 0;
        for (int k = from; k < from + 4; k++) {
            int digit = Character.digit(raw.charAt(k), 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    /** No control characters and every surrogate in a pair: text that can be named and printed. */
    private static boolean readable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
