package dev.keymeter.quota;

import dev.keymeter.keys.LimitBound;
import dev.keymeter.keys.ResetPeriod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bounds are exactly what the counters hold: the maximum is applied, one above is not. */
class LimitBoundTest {

    private static final long NOW = 1_795_000_000_000L;

    private static KeyQuota quota() {
        return new KeyQuota(new HeapCounterCells(KeyQuota.CELLS), ResetPeriod.DAILY);
    }

    @Test
    void maxima_areTheDocumentedNumbers() {
        assertEquals(4_294_967_294L, LimitBound.REQUESTS_PER_MINUTE.max());
        assertEquals(17_592_186_044_415L, LimitBound.TOKENS.max());
        assertEquals(17_592_186_044_415L, LimitBound.COST_MICRO_USD.max());
    }

    @Test
    void maxima_areWhatTheCounterWordsHold() {
        assertEquals(RollingWindow.MAX_LIMIT, LimitBound.REQUESTS_PER_MINUTE.max());
        assertEquals(PeriodBudget.MAX_AMOUNT, LimitBound.TOKENS.max());
        assertEquals(PeriodBudget.MAX_AMOUNT, LimitBound.COST_MICRO_USD.max());
    }

    @Test
    void tryAdmit_everyLimitAtItsBound_admits() {
        QuotaLimits atMax = new QuotaLimits(LimitBound.REQUESTS_PER_MINUTE.max(), LimitBound.TOKENS.max(),
                LimitBound.COST_MICRO_USD.max(), ResetPeriod.DAILY);
        assertTrue(quota().tryAdmit(NOW, atMax, LimitBound.TOKENS.max(), LimitBound.COST_MICRO_USD.max()).admitted());
    }

    @Test
    void quotaLimits_oneAboveABound_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new QuotaLimits(
                LimitBound.REQUESTS_PER_MINUTE.max() + 1, QuotaLimits.NONE, QuotaLimits.NONE, ResetPeriod.NEVER));
        assertThrows(IllegalArgumentException.class, () -> new QuotaLimits(
                QuotaLimits.NONE, LimitBound.TOKENS.max() + 1, QuotaLimits.NONE, ResetPeriod.NEVER));
        assertThrows(IllegalArgumentException.class, () -> new QuotaLimits(
                QuotaLimits.NONE, QuotaLimits.NONE, LimitBound.COST_MICRO_USD.max() + 1, ResetPeriod.NEVER));
    }

    @Test
    void saturate_clampsIntoTheBound() {
        assertEquals(LimitBound.TOKENS.max(), LimitBound.TOKENS.saturate(Long.MAX_VALUE));
        assertEquals(0, LimitBound.TOKENS.saturate(Long.MIN_VALUE));
        assertEquals(12, LimitBound.TOKENS.saturate(12));
        assertTrue(LimitBound.REQUESTS_PER_MINUTE.holds(LimitBound.REQUESTS_PER_MINUTE.max()));
        assertFalse(LimitBound.REQUESTS_PER_MINUTE.holds(LimitBound.REQUESTS_PER_MINUTE.max() + 1));
        assertFalse(LimitBound.COST_MICRO_USD.holds(-1));
    }

    @Test
    void tryAdmit_dimensionWithoutALimit_estimateItCannotFit_admitsWithoutReserving() {
        KeyQuota q = quota();
        QuotaLimits rpmOnly = new QuotaLimits(100, QuotaLimits.NONE, QuotaLimits.NONE, ResetPeriod.DAILY);
        assertTrue(q.tryAdmit(NOW, rpmOnly, LimitBound.TOKENS.max(), 0).admitted());
        QuotaDecision second = q.tryAdmit(NOW, rpmOnly, LimitBound.TOKENS.max(), 0);
        assertTrue(second.admitted(), "no token limit: the full counter does not refuse");
        assertEquals(0, second.tokens().estimate(), "nothing reserved where it does not fit");
        assertEquals(2, q.requestsInWindow(NOW));
    }
}
