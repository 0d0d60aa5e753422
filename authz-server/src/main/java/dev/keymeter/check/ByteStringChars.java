package dev.keymeter.check;

import com.google.protobuf.ByteString;

/**
 * A {@code header_map} {@code raw_value} seen as characters (one per byte, Latin-1), so that the
 * token parser reads both header encodings through one {@link CharSequence} path without decoding
 * the bytes into a String. A thread reuses its instances: {@link #wrap} re-points one.
 */
final class ByteStringChars implements CharSequence {

    private ByteString bytes = ByteString.EMPTY;

    ByteStringChars wrap(ByteString value) {
        this.bytes = value;
        return this;
    }

    @Override
    public int length() {
        return bytes.size();
    }

    @Override
    public char charAt(int index) {
        return (char) (bytes.byteAt(index) & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().substring(start, end);
    }

    /** Decodes the bytes: for the rare caller that needs a String (never the token). */
    @Override
    public String toString() {
        return bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
