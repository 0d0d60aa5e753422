package dev.keymeter.cli;

import dev.keymeter.keys.LimitBound;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters for the free-form option values: USD amounts, counts, instants, durations and
 * {@code --allow} pairs. Each turns a parse failure into a {@link TypeConversionException}, which
 * picocli reports as a usage error (exit 2) naming the option and the value.
 */
public final class Values {

    private Values() {
    }

    /** USD → micro-USD, exactly; see {@link Usd#toMicros(String)}. */
    static final class MicroUsd implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Usd.toMicros(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A whole number, 0 or more (token and request limits); too many digits is out of range. */
    abstract static class Count implements ITypeConverter<Long> {
        private final LimitBound bound;

        Count(LimitBound bound) {
            this.bound = bound;
        }

        @Override
        public Long convert(String value) {
            String digits = value.trim();
            long count;
            try {
                count = Long.parseLong(digits);
            } catch (NumberFormatException e) {
                // All digits but too long for a long: out of range, not "not a number".
                if (digits.matches("[+]?[0-9]+")) {
                    throw new TypeConversionException(outOfRange(value));
                }
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            if (count < 0) {
                throw new TypeConversionException("'" + value + "' is negative; a limit is 0 or more");
            }
            // A number in range of a long but above the bound goes to the server, which names the
            // field, the flag and the maximum (exit 5) as it does for any client.
            return count;
        }

        private String outOfRange(String value) {
            return "'" + value + "' is out of range, maximum " + String.format(java.util.Locale.ROOT, "%,d", bound.max());
        }
    }

    /** {@code --rpm}: at most {@link LimitBound#REQUESTS_PER_MINUTE}. */
    static final class RequestsPerMinute extends Count {
        RequestsPerMinute() {
            super(LimitBound.REQUESTS_PER_MINUTE);
        }
    }

    /** {@code --token-limit}: at most {@link LimitBound#TOKENS}. */
    static final class Tokens extends Count {
        Tokens() {
            super(LimitBound.TOKENS);
        }
    }

    /** An ISO-8601 instant or a date; see {@link Times#parseInstant(String)}. */
    static final class Instant implements ITypeConverter<java.time.Instant> {
        @Override
        public java.time.Instant convert(String value) {
            try {
                return Times.parseInstant(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** "24h", "30m", "0s"…; see {@link Times#parseDuration(String)}. */
    /** "24h", "30m", "500ms", "1h30m" or ISO-8601; also used by the process commands' duration flags. */
    public static final class Duration implements ITypeConverter<java.time.Duration> {
        @Override
        public java.time.Duration convert(String value) {
            try {
                return Times.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code RESOURCE=none|read|write}; see {@link ResourceAccess#parse(String)}. */
    static final class Allow implements ITypeConverter<ResourceAccess> {
        @Override
        public ResourceAccess convert(String value) {
            try {
                return ResourceAccess.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
