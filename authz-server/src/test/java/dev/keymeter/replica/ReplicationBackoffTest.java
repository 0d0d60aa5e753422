package dev.keymeter.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Reconnect delays: doubling ceilings, capped, with jitter in the upper half. */
class ReplicationBackoffTest {

    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(10);

    @Test
    void next_repeatedFailures_doublesTheCeilingUpToMaxWithDelaysInItsUpperHalf() {
        ReplicationBackoff backoff = new ReplicationBackoff(INITIAL, MAX, new SplittableRandom(42));
        long[] ceilings = {100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000, 10_000};

        for (long ceiling : ceilings) {
            long delay = backoff.next().toMillis();
            assertTrue(delay >= ceiling / 2 && delay <= ceiling, () -> delay + " ms outside [" + ceiling / 2 + ", "
                    + ceiling + "]");
        }
    }

    @Test
    void reset_afterFailures_startsFromTheInitialCeilingAgain() {
        ReplicationBackoff backoff = new ReplicationBackoff(INITIAL, MAX, new SplittableRandom(7));
        for (int i = 0; i < 20; i++) {
            backoff.next();
        }

        backoff.reset();

        assertTrue(backoff.next().compareTo(INITIAL) <= 0);
    }

    @Test
    void next_manyClientsFailingTogether_spreadTheirDelays() {
        List<Duration> firstDelays = new ArrayList<>();
        SplittableRandom seeds = new SplittableRandom(1);
        for (int client = 0; client < 50; client++) {
            firstDelays.add(new ReplicationBackoff(INITIAL, MAX, seeds.split()).next());
        }

        assertNotEquals(1, firstDelays.stream().distinct().count());
        assertTrue(firstDelays.stream().distinct().count() > 40, firstDelays::toString);
    }

    @Test
    void constructor_maxBelowInitial_isRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new ReplicationBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new SplittableRandom()));
        assertThrows(IllegalArgumentException.class,
                () -> new ReplicationBackoff(Duration.ZERO, MAX, new SplittableRandom()));
        assertEquals(INITIAL, ReplicationBackoff.DEFAULT_INITIAL);
    }
}
