package dev.keymeter.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * US dollars on the command line, micro-USD on the wire (1 USD = 1,000,000 micro-USD).
 *
 * <p>Conversion is exact, through {@link BigDecimal}: a budget typed as {@code 0.1} must become
 * exactly 100,000 micro-USD, which binary floating point cannot promise.
 */
final class Usd {

    private static final int MICRO_DIGITS = 6;
    private static final int MIN_SHOWN_DIGITS = 2;

    private Usd() {
    }

    /**
     * Parses a non-negative decimal amount of USD with at most six decimals.
     *
     * @throws IllegalArgumentException naming the value and the rule it breaks
     */
    static long toMicros(String usd) {
        BigDecimal amount;
        try {
            amount = new BigDecimal(usd.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + usd + "' is not a decimal amount of USD");
        }
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("'" + usd + "' is negative; a cost limit is 0 or more USD");
        }
        if (amount.stripTrailingZeros().scale() > MICRO_DIGITS) {
            throw new IllegalArgumentException(
                    "'" + usd + "' has more than 6 decimals; the smallest unit is 0.000001 USD");
        }
        try {
            return amount.movePointRight(MICRO_DIGITS).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + usd + "' is too large");
        }
    }

    /** Formats micro-USD as USD with at least two decimals and no rounding: 12500000 → "12.50". */
    static String format(long micros) {
        BigDecimal usd = BigDecimal.valueOf(micros, MICRO_DIGITS).stripTrailingZeros();
        if (usd.scale() < MIN_SHOWN_DIGITS) {
            usd = usd.setScale(MIN_SHOWN_DIGITS, RoundingMode.UNNECESSARY);
        }
        return usd.toPlainString();
    }
}
