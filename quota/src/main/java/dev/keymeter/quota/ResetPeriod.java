package dev.keymeter.quota;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;
import java.util.Optional;

/**
 * When the cost and token counters of a key start again. Periods align to calendar boundaries in
 * UTC: a day starts at 00:00, a week on Monday 00:00, a month on the 1st 00:00. Requests per minute
 * never use a reset period (they always use a rolling 60-second window).
 */
public enum ResetPeriod {
    /** Counters accumulate for the life of the key. */
    NEVER,
    DAILY,
    WEEKLY,
    MONTHLY;

    /**
     * The period that contains {@code now}: its start (inclusive) and end (exclusive), or empty for
     * {@link #NEVER}.
     */
    public Optional<Period> periodAt(Instant now) {
        Objects.requireNonNull(now, "now");
        if (this == NEVER) {
            return Optional.empty();
        }
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate start = switch (this) {
            case DAILY -> today;
            case WEEKLY -> today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTHLY -> today.withDayOfMonth(1);
            case NEVER -> throw new AssertionError("handled above");
        };
        LocalDate end = switch (this) {
            case DAILY -> start.plusDays(1);
            case WEEKLY -> start.plusWeeks(1);
            case MONTHLY -> start.plusMonths(1);
            case NEVER -> throw new AssertionError("handled above");
        };
        return Optional.of(new Period(
                start.atStartOfDay().toInstant(ZoneOffset.UTC),
                end.atStartOfDay().toInstant(ZoneOffset.UTC)));
    }

    /** A half-open interval {@code [start, end)}. */
    public record Period(Instant start, Instant end) {
        public Period {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            if (!end.isAfter(start)) {
                throw new IllegalArgumentException("end must be after start: " + start + " .. " + end);
            }
        }

        public boolean contains(Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }
    }
}
