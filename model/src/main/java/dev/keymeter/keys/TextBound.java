package dev.keymeter.keys;

/**
 * The longest text each stored field may hold, counted in characters as people count them
 * (Unicode code points: an emoji or a CJK character is one), and the bytes a sidecar's replica
 * sets aside for it. The one definition the admin API validates against and the replica sizes its
 * fixed fields by, so that whatever the admin API accepts, every sidecar holds.
 *
 * <p>A field that may hold any character takes up to {@value #MAX_UTF8_BYTES_PER_CHARACTER} bytes
 * of UTF-8 per character, so its byte capacity is four times its character bound: the bound is
 * one rule ("at most N characters"), never a second, byte-counting one that people cannot see.
 */
public enum TextBound {

    /** Key ids: {@code key_} and 20 base62 characters, ASCII. Replicated. */
    KEY_ID(24, true),
    /** Project ids: lower-case letters, digits and '-', ASCII. Replicated. */
    PROJECT_ID(63, true),
    /** Key names, sidecar credential names and project display names. Not replicated. */
    NAME(100, false),
    /** Users: project members and the owners of user keys. Replicated (the owner). */
    USER(128, false);

    /** The most bytes one code point takes in UTF-8. */
    public static final int MAX_UTF8_BYTES_PER_CHARACTER = 4;

    private final int maxChars;
    private final boolean ascii;

    TextBound(int maxChars, boolean ascii) {
        this.maxChars = maxChars;
        this.ascii = ascii;
    }

    /** The most characters (code points) the field holds. */
    public int maxChars() {
        return maxChars;
    }

    /** The bytes of UTF-8 the longest allowed text may take: what a fixed-size field must hold. */
    public int maxUtf8Bytes() {
        return ascii ? maxChars : maxChars * MAX_UTF8_BYTES_PER_CHARACTER;
    }

    /** True for an ASCII-only field: its bytes are its characters. */
    public boolean asciiOnly() {
        return ascii;
    }

    /** Characters as people count them: code points, a surrogate pair being one. */
    public static int characters(String text) {
        return text.codePointCount(0, text.length());
    }

    /** True when {@code text} is at most {@link #maxChars()} characters (and ASCII where required). */
    public boolean holds(String text) {
        return characters(text) <= maxChars && (!ascii || text.chars().allMatch(c -> c < 0x80));
    }

    /** The rule as refusals word it: {@code "at most 128 characters"}. */
    public String rule() {
        return "at most " + maxChars + (ascii ? " ASCII characters" : " characters");
    }
}
