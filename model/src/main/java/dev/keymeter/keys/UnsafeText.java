package dev.keymeter.keys;

/**
 * Characters a name must not hold, and how output shows them when an older row holds one anyway.
 *
 * <p>Refused: control characters (C0, DEL, C1), invisible format characters (the bidi controls
 * U+202A–U+202E, U+2066–U+2069, U+200E/U+200F and U+061C; the zero-width U+200B–U+200D, U+2060 and
 * U+FEFF; and the rest of Unicode's "Cf"), the line and paragraph separators U+2028/U+2029, and
 * lone surrogates (invalid UTF-16). Each can make a name read as something it is not (a bidi
 * override makes {@code invoice[U+202E]txt.exe} read as {@code invoiceexe.txt}), look equal to another name, or break the
 * lines of a listing or a log.
 */
public final class UnsafeText {

    private UnsafeText() {
    }

    /** True for a code point (or lone surrogate code unit) names must not hold. */
    public static boolean refused(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE -> true;
            default -> false;
        };
    }

    /** The char index of the first refused code point in {@code text}, or -1 when there is none. */
    public static int firstRefused(String text) {
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i); // a lone surrogate comes back as itself
            if (refused(codePoint)) {
                return i;
            }
            i += Character.charCount(codePoint);
        }
        return -1;
    }

    /** {@code U+202E}: how refusals name a code point. */
    public static String name(int codePoint) {
        return String.format("U+%04X", codePoint);
    }

    /** What kind of refused character {@code codePoint} is, for messages. */
    public static String kind(int codePoint) {
        if (Character.getType(codePoint) == Character.SURROGATE) {
            return "a lone surrogate";
        }
        if ((codePoint >= 0x202A && codePoint <= 0x202E) || (codePoint >= 0x2066 && codePoint <= 0x2069)
                || codePoint == 0x200E || codePoint == 0x200F || codePoint == 0x061C) {
            return "a bidi control";
        }
        if ((codePoint >= 0x200B && codePoint <= 0x200D) || codePoint == 0x2060 || codePoint == 0xFEFF) {
            return "a zero-width character";
        }
        if (codePoint == 0x2028 || codePoint == 0x2029) {
            return "a line or paragraph separator";
        }
        return Character.getType(codePoint) == Character.CONTROL ? "a control character" : "an invisible format character";
    }

    /**
     * {@code text} with every refused code point written as {@code &#92;uXXXX} (lower-case hex, a
     * supplementary one as its two UTF-16 escapes), for terminals: nothing printed can reorder,
     * hide or break what follows it.
     */
    public static String escaped(String text) {
        return escaped(text, 0);
    }

    /**
     * JSON text with every refused code point from U+007F up written as {@code &#92;uXXXX}. Only
     * inside strings can such a character stand in JSON, and there the escape reads back as the
     * same character: the output stays valid JSON with the same values. Characters below U+0020 are
     * left alone: in strings the JSON printer has escaped them already, outside they are its own
     * line breaks.
     */
    public static String escapedJson(String json) {
        return escaped(json, 0x7F);
    }

    private static String escaped(String text, int from) {
        if (firstRefused(text) < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int units = Character.charCount(codePoint);
            if (codePoint >= from && refused(codePoint)) {
                for (int u = i; u < i + units; u++) {
                    out.append(String.format("\\u%04x", (int) text.charAt(u)));
                }
            } else {
                out.appendCodePoint(codePoint);
            }
            i += units;
        }
        return out.toString();
    }
}
