package dev.keymeter.cli;

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

    /** A whole number, 0 or more (token and request limits). */
    static final class Count implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long count;
            try {
                count = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            if (count < 0) {
                throw new TypeConversionException("'" + value + "' is negative; a limit is 0 or more");
            }
            return count;
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
