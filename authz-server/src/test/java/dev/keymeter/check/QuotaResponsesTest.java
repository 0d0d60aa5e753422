package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The header formats: USD amounts and OpenAI-style durations. */
class QuotaResponsesTest {

    @Test
    void usdMatchesBigDecimalsPlainForm() {
        long[] fixed = {0, 1, 10, 999_999, 1_000_000, 1_500_000, 12_345_678, 100_000_000, 17_592_186_044_415L};
        for (long micro : fixed) {
            assertEquals(BigDecimal.valueOf(micro, 6).stripTrailingZeros().toPlainString(), QuotaResponses.usd(micro),
                    Long.toString(micro));
        }
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            long micro = random.nextLong(1L << 44);
            assertEquals(BigDecimal.valueOf(micro, 6).stripTrailingZeros().toPlainString(), QuotaResponses.usd(micro));
        }
    }

    @Test
    void duration_belowASecond_isMillisecondsAboveWholeSecondsRoundedUp() {
        assertEquals("0s", QuotaResponses.duration(0));
        assertEquals("1ms", QuotaResponses.duration(1));
        assertEquals("20ms", QuotaResponses.duration(20));
        assertEquals("999ms", QuotaResponses.duration(999));
        assertEquals("1s", QuotaResponses.duration(1000));
        assertEquals("2s", QuotaResponses.duration(1001));
        assertEquals("59s", QuotaResponses.duration(59_000));
        assertEquals("1m0s", QuotaResponses.duration(59_001));
        assertEquals("6m0s", QuotaResponses.duration(360_000));
        assertEquals("26h3m1s", QuotaResponses.duration((26 * 3600 + 3 * 60 + 1) * 1000L));
    }

    @Test
    void durationKey_equalTextsAreEqualKeys() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long a = random.nextLong(100_000);
            long b = random.nextLong(100_000);
            assertEquals(QuotaResponses.duration(a).equals(QuotaResponses.duration(b)),
                    QuotaResponses.durationKey(a) == QuotaResponses.durationKey(b), a + " vs " + b);
            assertEquals(QuotaResponses.duration(a), QuotaResponses.duration(QuotaResponses.durationKey(a)));
        }
    }
}
