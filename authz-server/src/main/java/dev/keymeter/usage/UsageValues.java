package dev.keymeter.usage;

import com.google.protobuf.Value;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * The form of usage values, shared by the access-log stream and {@code Report}: strict parsers that
 * return a sentinel instead of throwing, so that a bad value from a client can never escape a stream.
 */
final class UsageValues {

    /**
     * The largest token count or micro-USD cost accepted (10^15): far above any real request, and low
     * enough that a ledger summing many of them cannot overflow a long.
     */
    static final long MAX_AMOUNT = 1_000_000_000_000_000L;
    /** The value is present but not usable. */
    static final long MALFORMED = -1;
    /** The value is not there. */
    static final long ABSENT = -2;

    static final int MAX_REQUEST_ID_CHARS = 128;
    static final int MAX_RESERVATION_ID_CHARS = 128;
    static final int MAX_MODEL_CHARS = 256;

    /** Key ids as the admin API accepts them: {@code key_} and base62. */
    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{1,64}");
    /** Up to 18 digits: any such number fits a long, and is then compared with {@link #MAX_AMOUNT}. */
    private static final Pattern TOKENS = Pattern.compile("[0-9]{1,18}");
    /**
     * A plain decimal amount of USD: digits, optionally a point and more digits. No sign, no exponent
     * (BigDecimal would accept "1E999999999" and then build a huge number), no "NaN"/"Infinity".
     */
    private static final Pattern USD = Pattern.compile("[0-9]{1,16}(\\.[0-9]{1,24})?");
    private static final BigDecimal MAX_AMOUNT_DECIMAL = BigDecimal.valueOf(MAX_AMOUNT);

    private UsageValues() {
    }

    static boolean isKeyId(String s) {
        return s != null && KEY_ID.matcher(s).matches();
    }

    /** 1 to {@link #MAX_REQUEST_ID_CHARS} printable ASCII characters (space to '~'). */
    static boolean isRequestId(String s) {
        return isPrintable(s, MAX_REQUEST_ID_CHARS);
    }

    /** 1 to {@code max} printable ASCII characters (space to '~'). */
    static boolean isPrintable(String s, int max) {
        if (s == null || s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /**
     * A token count written as a decimal integer (a header or trailer value, or a string in metadata).
     *
     * @return the count, {@link #ABSENT} for {@code null}, {@link #MALFORMED} for anything but 0 to
     *     {@link #MAX_AMOUNT} in plain digits (surrounding spaces allowed)
     */
    static long tokens(String text) {
        if (text == null) {
            return ABSENT;
        }
        String s = text.strip();
        if (!TOKENS.matcher(s).matches()) {
            return MALFORMED;
        }
        long n = Long.parseLong(s);
        return n <= MAX_AMOUNT ? n : MALFORMED;
    }

    /**
     * A token count in dynamic metadata: a whole, finite, non-negative number (AI Gateway writes
     * numbers) or a string of digits.
     *
     * @return the count, {@link #ABSENT} for {@code null} or a null value, {@link #MALFORMED} otherwise
     */
    static long tokens(Value value) {
        if (value == null) {
            return ABSENT;
        }
        switch (value.getKindCase()) {
            case NUMBER_VALUE -> {
                double d = value.getNumberValue();
                if (!Double.isFinite(d) || d < 0 || d != Math.rint(d) || d > MAX_AMOUNT) {
                    return MALFORMED;
                }
                return (long) d;
            }
            case STRING_VALUE -> {
                return tokens(value.getStringValue());
            }
            case NULL_VALUE, KIND_NOT_SET -> {
                return ABSENT;
            }
            default -> {
                return MALFORMED;
            }
        }
    }

    /**
     * A cost in decimal USD (e.g. {@code "0.001234"}) as micro-USD, computed in decimal (BigDecimal),
     * never in binary floating point: exact for up to 6 decimal places; a fraction of a micro-USD
     * beyond that is rounded <em>up</em>, so that usage is never under-counted.
     *
     * @return micro-USD, {@link #ABSENT} for {@code null}, {@link #MALFORMED} for a negative, signed,
     *     exponent, NaN/Infinity or otherwise non-decimal value, or one above {@link #MAX_AMOUNT} micro-USD
     */
    static long costMicroUsd(String text) {
        if (text == null) {
            return ABSENT;
        }
        String s = text.strip();
        if (!USD.matcher(s).matches()) {
            return MALFORMED;
        }
        BigDecimal micros = new BigDecimal(s).movePointRight(6).setScale(0, RoundingMode.CEILING);
        if (micros.compareTo(MAX_AMOUNT_DECIMAL) > 0) {
            return MALFORMED;
        }
        return micros.longValueExact();
    }
}
