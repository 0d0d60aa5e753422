package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeriodBudgetTest {

    private static long ms(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private static PeriodBudget budget(ResetPeriod period) {
        return new PeriodBudget(new HeapCounterCells(PeriodBudget.CELLS), 0, period);
    }

    @Test
    void tryReserve_withinLimit_reservesAndReportsRemaining() {
        PeriodBudget b = budget(ResetPeriod.DAILY);
        long now = ms("2026-11-22T16:45:00Z");
        BudgetProbe p = b.tryReserve(now, 300, 1_000);
        assertEquals(new BudgetProbe(true, 300, 0, 300, 700, 1_000,
                ms("2026-11-22T00:00:00Z"), ms("2026-11-23T00:00:00Z")), p);
        assertTrue(b.tryReserve(now, 700, 1_000).admitted());
        BudgetProbe refused = b.tryReserve(now, 1, 1_000);
        assertEquals(new BudgetProbe(false, 0, 0, 1_000, 0, 1_000,
                ms("2026-11-22T00:00:00Z"), ms("2026-11-23T00:00:00Z")), refused);
    }

    @Test
    void tryReserve_estimateWouldPassLimit_isRefused_thoughSmallerFits() {
        PeriodBudget b = budget(ResetPeriod.MONTHLY);
        long now = ms("2026-11-22T16:45:00Z");
        b.add(now, 900);
        assertFalse(b.tryReserve(now, 101, 1_000).admitted());
        assertTrue(b.tryReserve(now, 100, 1_000).admitted());
    }

    @Test
    void tryReserve_withoutEstimate_admitsWhileBelowLimit_overshootIsTheInFlightUsage() {
        PeriodBudget b = budget(ResetPeriod.DAILY);
        long now = ms("2026-11-22T10:00:00Z");
        b.add(now, 999);
        BudgetProbe first = b.tryReserve(now, 0, 1_000);
        BudgetProbe second = b.tryReserve(now, 0, 1_000);
        assertTrue(first.admitted());
        assertTrue(second.admitted());
        b.settle(now, first, 40);
        b.settle(now, second, 60);
        // Both were admitted at 999 < 1000: the overshoot is exactly their actual usage.
        assertEquals(999 + 100, b.snapshot(now).used());
        assertFalse(b.tryReserve(now, 0, 1_000).admitted());
    }

    @Test
    void settle_samePeriod_movesReservationToUsed() {
        PeriodBudget b = budget(ResetPeriod.DAILY);
        long now = ms("2026-11-22T10:00:00Z");
        BudgetProbe r = b.tryReserve(now, 500, 1_000);
        assertEquals(new BudgetUsage(0, 500, ms("2026-11-22T00:00:00Z"), ms("2026-11-23T00:00:00Z")), b.snapshot(now));
        b.settle(now + 1, r, 320);
        assertEquals(new BudgetUsage(320, 0, ms("2026-11-22T00:00:00Z"), ms("2026-11-23T00:00:00Z")), b.snapshot(now));
        assertEquals(680, b.tryReserve(now, 0, 1_000).remaining());
    }

    @Test
    void settle_reservationFromPreviousPeriod_chargesActualToCurrentAndDropsReservation() {
        PeriodBudget b = budget(ResetPeriod.DAILY);
        BudgetProbe r = b.tryReserve(ms("2026-11-22T23:59:59.999Z"), 500, 1_000);
        long next = ms("2026-11-23T00:00:00.200Z");
        b.add(next, 10);
        b.settle(next, r, 320);
        assertEquals(new BudgetUsage(330, 0, ms("2026-11-23T00:00:00Z"), ms("2026-11-24T00:00:00Z")), b.snapshot(next));
        assertEquals(670, b.tryReserve(next, 0, 1_000).remaining());
    }

    @ParameterizedTest(name = "{0}: {1} | {2} | {3}")
    @CsvSource({
        // period,  last ms of a period,         first ms of the next,    same period as the first
        "DAILY,   2026-11-22T23:59:59.999Z, 2026-11-23T00:00:00Z, 2026-11-23T23:59:59.999Z",
        // 2026-11-22 is a Sunday; weeks start on Monday.
        "WEEKLY,  2026-11-22T23:59:59.999Z, 2026-11-23T00:00:00Z, 2026-11-29T23:59:59.999Z",
        "MONTHLY, 2026-01-31T23:59:59.999Z, 2026-02-01T00:00:00Z, 2026-02-28T23:59:59.999Z",
        "MONTHLY, 2026-04-30T23:59:59.999Z, 2026-05-01T00:00:00Z, 2026-05-31T23:59:59.999Z",
        "MONTHLY, 2026-12-31T23:59:59.999Z, 2027-01-01T00:00:00Z, 2027-01-31T23:59:59.999Z",
        // Leap year: Feb 29 2028 is still February; March resets.
        "MONTHLY, 2028-01-31T23:59:59.999Z, 2028-02-01T00:00:00Z, 2028-02-29T23:59:59.999Z",
        "MONTHLY, 2028-02-29T23:59:59.999Z, 2028-03-01T00:00:00Z, 2028-03-31T23:59:59.999Z",
    })
    void add_acrossUtcBoundary_resetsExactlyOnce(ResetPeriod period, String lastOfOld, String firstOfNew, String lastOfNew) {
        PeriodBudget b = budget(period);
        b.add(ms(lastOfOld), 7);
        assertEquals(7, b.snapshot(ms(lastOfOld)).used());
        assertEquals(0, b.snapshot(ms(firstOfNew)).used(), "the new period starts at zero");
        b.add(ms(firstOfNew), 3);
        b.add(ms(firstOfNew) + 1, 4);
        b.add(ms(lastOfNew), 5);
        BudgetUsage usage = b.snapshot(ms(lastOfNew));
        assertEquals(3 + 4 + 5, usage.used(), "reset once, at the boundary, and never again inside the period");
        assertEquals(ms(firstOfNew), usage.periodStartMillis());
        assertEquals(ms(lastOfNew) + 1, usage.periodEndMillis());
        assertEquals(0, b.snapshot(ms(lastOfNew) + 1).used());
    }

    @Test
    void add_never_accumulatesForever() {
        PeriodBudget b = budget(ResetPeriod.NEVER);
        b.add(ms("2026-01-01T00:00:00Z"), 5);
        b.add(ms("2099-12-31T23:59:59Z"), 6);
        assertEquals(new BudgetUsage(11, 0, 0, Long.MAX_VALUE), b.snapshot(ms("2099-12-31T23:59:59Z")));
    }

    @Test
    void add_withClockBehindStoredPeriod_isChargedToCurrentPeriod() {
        PeriodBudget b = budget(ResetPeriod.DAILY);
        b.add(ms("2026-11-23T00:00:01Z"), 5);
        b.add(ms("2026-11-22T23:59:59Z"), 2); // a late report: never lost, never resets back
        assertEquals(7, b.snapshot(ms("2026-11-23T12:00:00Z")).used());
    }

    @Test
    void add_saturatesAtMaxAmount() {
        PeriodBudget b = budget(ResetPeriod.NEVER);
        b.add(0, PeriodBudget.MAX_AMOUNT);
        b.add(0, 5);
        assertEquals(PeriodBudget.MAX_AMOUNT, b.snapshot(0).used());
        assertFalse(b.tryReserve(0, 0, PeriodBudget.MAX_AMOUNT).admitted());
    }

    @Test
    void arguments_areChecked() {
        PeriodBudget b = budget(ResetPeriod.DAILY);
        assertThrows(IllegalArgumentException.class, () -> b.tryReserve(0, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> b.tryReserve(0, 1, PeriodBudget.MAX_AMOUNT + 1));
        assertThrows(IllegalArgumentException.class, () -> b.add(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> b.settle(0, b.tryReserve(0, 20, 10), 1));
        assertThrows(IllegalArgumentException.class, () -> new PeriodBudget(new HeapCounterCells(1), 0, ResetPeriod.DAILY));
    }
}
