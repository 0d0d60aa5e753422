package dev.keymeter.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ResetPeriodTest {

    @ParameterizedTest(name = "{0} at {1} -> [{2}, {3})")
    @CsvSource({
        "DAILY,   2026-11-22T16:45:00Z,      2026-11-22T00:00:00Z, 2026-11-23T00:00:00Z",
        "DAILY,   2026-11-22T00:00:00Z,      2026-11-22T00:00:00Z, 2026-11-23T00:00:00Z",
        "DAILY,   2026-11-22T23:59:59.999Z,  2026-11-22T00:00:00Z, 2026-11-23T00:00:00Z",
        // 2026-11-22 is a Sunday: the week started on Monday the 16th.
        "WEEKLY,  2026-11-22T23:59:59Z,      2026-11-16T00:00:00Z, 2026-11-23T00:00:00Z",
        "WEEKLY,  2026-11-23T00:00:00Z,      2026-11-23T00:00:00Z, 2026-11-30T00:00:00Z",
        "MONTHLY, 2026-12-31T23:59:59Z,      2026-12-01T00:00:00Z, 2027-01-01T00:00:00Z",
        // Leap year: February has 29 days.
        "MONTHLY, 2028-02-29T12:00:00Z,      2028-02-01T00:00:00Z, 2028-03-01T00:00:00Z",
        "MONTHLY, 2027-02-28T12:00:00Z,      2027-02-01T00:00:00Z, 2027-03-01T00:00:00Z",
    })
    void periodAt_alignsToUtcCalendarBoundaries(ResetPeriod period, String now, String start, String end) {
        ResetPeriod.Period p = period.periodAt(Instant.parse(now)).orElseThrow();
        assertEquals(Instant.parse(start), p.start());
        assertEquals(Instant.parse(end), p.end());
        assertTrue(p.contains(Instant.parse(now)));
    }

    @Test
    void periodAt_never_isEmpty() {
        assertTrue(ResetPeriod.NEVER.periodAt(Instant.EPOCH).isEmpty());
    }
}
