package dev.keymeter.cli;

import com.google.protobuf.Timestamp;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Instants and durations as people type and read them, and their protobuf forms.
 *
 * <p>Output is always ISO-8601 UTC truncated to seconds: sub-second precision is noise in a table,
 * and one fixed zone keeps output identical on every machine (and greppable in scripts).
 */
final class Times {

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+(ms|s|m|h|d))+");

    private Times() {
    }

    /** "2025-01-31T12:00:00Z" (an instant, any ISO offset) or "2025-01-31" (00:00 UTC that day). */
    static Instant parseInstant(String text) {
        String value = text.trim();
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + text
                    + "' is neither an ISO-8601 instant (2025-01-31T12:00:00Z) nor a date (2025-01-31)");
        }
    }

    /** "24h", "30m", "90s", "500ms", "1d", combinations such as "1h30m", or ISO-8601 "PT24H". */
    static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith("p")) {
            return parseIsoDuration(text, value);
        }
        if (!SHORT_DURATION.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration such as 24h, 30m, 90s, 500ms or 0s");
        }
        try {
            Duration total = Duration.ZERO;
            Matcher part = DURATION_PART.matcher(value);
            while (part.find()) {
                total = total.plus(unitDuration(Long.parseLong(part.group(1)), part.group(2)));
            }
            return total;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
    }

    static Timestamp toTimestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    static com.google.protobuf.Duration toProto(Duration duration) {
        return com.google.protobuf.Duration.newBuilder()
                .setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build();
    }

    /** ISO-8601 UTC, truncated to seconds: "2025-01-31T12:00:00Z". */
    static String format(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds()).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** {@link #format(Timestamp)} when the field is set, else {@code absent}. */
    static String formatOr(boolean present, Timestamp timestamp, String absent) {
        return present ? format(timestamp) : absent;
    }

    private static Duration parseIsoDuration(String text, String value) {
        try {
            return Duration.parse(value.toUpperCase(Locale.ROOT));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 duration such as PT24H");
        }
    }

    private static Duration unitDuration(long amount, String unit) {
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
