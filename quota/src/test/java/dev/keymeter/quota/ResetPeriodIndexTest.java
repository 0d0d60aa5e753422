package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link ResetPeriod#indexAt} and {@link ResetPeriod#startMillis} agree with {@link ResetPeriod#periodAt}. */
class ResetPeriodIndexTest {

    @ParameterizedTest
    @EnumSource(value = ResetPeriod.class, names = {"DAILY", "WEEKLY", "MONTHLY"})
    void indexAt_agreesWithPeriodAt_atRandomInstantsAndBoundaries(ResetPeriod period) {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            // From 1970-02-01 (periods starting before 1970 cannot be indexed) to 2100.
            long now = random.nextLong(2_678_400_000L, 4_102_444_800_000L);
            ResetPeriod.Period p = period.periodAt(Instant.ofEpochMilli(now)).orElseThrow();
            long index = period.indexAt(now);
            assertEquals(p.start().toEpochMilli(), period.startMillis(index), "start at " + now);
            assertEquals(p.end().toEpochMilli(), period.startMillis(index + 1), "end at " + now);
            assertEquals(index, period.indexAt(p.start().toEpochMilli()));
            assertEquals(index, period.indexAt(p.end().toEpochMilli() - 1));
            assertEquals(index + 1, period.indexAt(p.end().toEpochMilli()));
        }
    }

    @ParameterizedTest
    @EnumSource(value = ResetPeriod.class, names = "NEVER")
    void indexAt_never_isAlwaysZero(ResetPeriod period) {
        assertEquals(0, period.indexAt(0));
        assertEquals(0, period.indexAt(4_102_444_800_000L));
        assertEquals(Long.MAX_VALUE, period.startMillis(1));
    }
}
