package dev.keymeter.keys;

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

    private static final long DAY_MILLIS = 86_400_000L;
    /** 1970-01-01 was a Thursday: Monday-aligned weeks are counted from Monday 1969-12-29. */
    private static final long EPOCH_DAY_OF_MONDAY_BEFORE_EPOCH = -3;

    /**
     * The number of the period that contains {@code epochMillis} (not before 1970): UTC days,
     * Monday-aligned weeks or months since 1970-01; always 0 for {@link #NEVER}. Numbers grow by
     * one per boundary, so counters can store them compactly. Allocation-free (MONTHLY recomputes only when the month changes).
     */
    public long indexAt(long epochMillis) {
        if (epochMillis < 0) {
            throw new IllegalArgumentException("epochMillis must not be before 1970: " + epochMillis);
        }
        long day = epochMillis / DAY_MILLIS;
        return switch (this) {
            case NEVER -> 0;
            case DAILY -> day;
            case WEEKLY -> (day - EPOCH_DAY_OF_MONDAY_BEFORE_EPOCH) / 7;
            case MONTHLY -> {
                MonthSpan m = currentMonth;
                if (m != null && epochMillis >= m.startMillis && epochMillis < m.endMillis) {
                    yield m.index;
                }
                LocalDate date = LocalDate.ofEpochDay(day);
                long index = (date.getYear() - 1970L) * 12 + date.getMonthValue() - 1;
                currentMonth = new MonthSpan(index, monthStartMillis(index), monthStartMillis(index + 1));
                yield index;
            }
        };
    }

    /**
     * The month the last MONTHLY {@link #indexAt} call fell into: calls within it (nearly all) skip the
     * calendar arithmetic. An immutable record in a volatile field: a reader sees a whole span or an
     * older one, and any span it sees is correct, so racing writers need no coordination.
     */
    private record MonthSpan(long index, long startMillis, long endMillis) {
    }

    private static volatile MonthSpan currentMonth;

    private static long monthStartMillis(long index) {
        return LocalDate.of(1970, 1, 1).plusMonths(index).toEpochDay() * DAY_MILLIS;
    }

    /**
     * The first millisecond of period number {@code index} (see {@link #indexAt}); for
     * {@link #NEVER}, 0 for index 0 and {@link Long#MAX_VALUE} for any later index (its one
     * period never ends).
     */
    public long startMillis(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative: " + index);
        }
        return switch (this) {
            case NEVER -> index == 0 ? 0 : Long.MAX_VALUE;
            case DAILY -> index * DAY_MILLIS;
            case WEEKLY -> (index * 7 + EPOCH_DAY_OF_MONDAY_BEFORE_EPOCH) * DAY_MILLIS;
            case MONTHLY -> {
                MonthSpan m = currentMonth;
                if (m != null && index == m.index) {
                    yield m.startMillis;
                }
                yield m != null && index == m.index + 1 ? m.endMillis : monthStartMillis(index);
            }
        };
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
