package dev.keymeter.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RollingWindowTest {

    private final RollingWindow window = new RollingWindow(new HeapCounterCells(RollingWindow.CELLS), 0);

    @Test
    void tryAcquire_lastPermitInWindow_thenDenies() {
        assertEquals(new RateProbe(true, 2, 3, 0, 71_000 - 10_000), window.tryAcquire(10_000, 3));
        assertEquals(new RateProbe(true, 1, 3, 0, 71_000 - 10_400), window.tryAcquire(10_400, 3));
        // The last permit: second 10 leaves the window when second 71 starts.
        assertEquals(new RateProbe(true, 0, 3, 71_000 - 10_500, 71_000 - 10_500), window.tryAcquire(10_500, 3));
        assertEquals(new RateProbe(false, 0, 3, 71_000 - 30_000, 71_000 - 30_000), window.tryAcquire(30_000, 3));
        assertEquals(3, window.peek(30_000));
    }

    @Test
    void tryAcquire_acrossTheWindowEdge_freesAfter61WholeSeconds() {
        assertTrue(window.tryAcquire(0, 1).admitted());
        assertEquals(new RateProbe(false, 0, 1, 1_001, 1_001), window.tryAcquire(59_999, 1));
        assertEquals(new RateProbe(false, 0, 1, 1_000, 1_000), window.tryAcquire(60_000, 1));
        assertEquals(new RateProbe(false, 0, 1, 1, 1), window.tryAcquire(60_999, 1));
        assertTrue(window.tryAcquire(61_000, 1).admitted());
    }

    @Test
    void tryAcquire_lateInASecond_stillCountsAgainstTheNext60s() {
        // An admission at 0.999 s and one at 60.000 s would share the interval [0.999 s, 60.999 s).
        assertTrue(window.tryAcquire(999, 1).admitted());
        assertFalse(window.tryAcquire(60_000, 1).admitted());
        assertTrue(window.tryAcquire(61_000, 1).admitted());
    }

    @Test
    void tryAcquire_onePerSecond_admitsExactlyLimitPer61Seconds() {
        for (int s = 0; s < 60; s++) {
            assertTrue(window.tryAcquire(s * 1000L, 60).admitted(), "second " + s);
        }
        assertFalse(window.tryAcquire(60_000, 60).admitted());
        // Second 0 leaves at 61 s: exactly one permit frees up each second from then on.
        assertTrue(window.tryAcquire(61_000, 60).admitted());
        assertFalse(window.tryAcquire(61_500, 60).admitted());
        assertTrue(window.tryAcquire(62_000, 60).admitted());
        assertEquals(60, window.peek(62_000));
        assertEquals(0, window.peek(62_000 + 61_000));
    }

    @Test
    void tryAcquire_callerClockBehindLatestAdmission_isCountedAtTheLatestSecond() {
        assertTrue(window.tryAcquire(100_000, 2).admitted());
        assertTrue(window.tryAcquire(50_000, 2).admitted());
        assertFalse(window.tryAcquire(100_500, 2).admitted());
        assertEquals(2, window.peek(40_000));
    }

    @Test
    void tryAcquire_limitZero_neverAdmits() {
        assertEquals(new RateProbe(false, 0, 0, Long.MAX_VALUE, 0), window.tryAcquire(5_000, 0));
    }

    @Test
    void tryAcquire_afterLongIdle_startsEmpty() {
        for (int i = 0; i < 5; i++) {
            window.tryAcquire(1_000, 5);
        }
        assertEquals(0, window.peek(1_000_000));
        assertEquals(new RateProbe(true, 4, 5, 0, 61_000), window.tryAcquire(1_000_000, 5));
    }

    @Test
    void constructor_and_arguments_areChecked() {
        assertThrows(IllegalArgumentException.class, () -> new RollingWindow(new HeapCounterCells(61), 0));
        assertThrows(IllegalArgumentException.class, () -> window.tryAcquire(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> window.tryAcquire(0, -1));
    }

    @Test
    void windowsSharingCells_areIndependent() {
        CounterCells cells = new HeapCounterCells(2 * RollingWindow.CELLS);
        RollingWindow a = new RollingWindow(cells, 0);
        RollingWindow b = new RollingWindow(cells, RollingWindow.CELLS);
        assertTrue(a.tryAcquire(1_000, 1).admitted());
        assertTrue(b.tryAcquire(1_000, 1).admitted());
        assertFalse(a.tryAcquire(2_000, 1).admitted());
    }

    /**
     * Model-based: random single-thread traffic against a brute-force log of admissions. The model
     * admits iff fewer than {@code limit} admissions fall in seconds {@code t-60 .. t}, and every
     * 60 s interval of admission times must hold at most {@code limit}.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 5, 8, 13})
    void tryAcquire_randomTraffic_matchesAdmissionLogAndNeverExceedsLimitInAny60s(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long limit = 1 + random.nextInt(20);
        List<Long> admittedAt = new ArrayList<>();
        long now = random.nextLong(0, 1_000_000_000L);
        for (int i = 0; i < 20_000; i++) {
            now += random.nextInt(4) == 0 ? random.nextInt(40_000) : random.nextInt(300);
            long at = now;
            long second = now / 1000;
            long inWindow = admittedAt.stream().filter(t -> t / 1000 >= second - 60).count();
            RateProbe probe = window.tryAcquire(now, limit);
            assertEquals(inWindow < limit, probe.admitted(), "at " + now);
            if (probe.admitted()) {
                admittedAt.add(now);
            } else {
                assertEquals(expectedResetAfter(admittedAt, now, limit), probe.resetAfterMillis(), "at " + now);
            }
            assertEquals(expectedEmptyAfter(admittedAt, now), probe.emptyAfterMillis(), "empty at " + now);
            admittedAt.removeIf(t -> t / 1000 < second - 61);
            assertTrue(admittedAt.stream().filter(t -> t > at - 60_000).count() <= limit);
        }
    }

    /** Until the newest admission counted at {@code now} leaves the window (its second + 61 s). */
    private static long expectedEmptyAfter(List<Long> admittedAt, long now) {
        long second = now / 1000;
        return admittedAt.stream().filter(t -> t / 1000 >= second - 60)
                .mapToLong(t -> (t / 1000 + 61) * 1000 - now).max().orElse(0);
    }

    private static long expectedResetAfter(List<Long> admittedAt, long now, long limit) {
        long second = now / 1000;
        for (long k = 1; ; k++) {
            long from = second + k - 60;
            if (admittedAt.stream().filter(t -> t / 1000 >= from).count() < limit) {
                return (second + k) * 1000 - now;
            }
        }
    }
}
