package dev.keymeter.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Retries are recognised within the retention; a full table still counts, and ages out old ids. */
class RecentRequestsTest {

    @Test
    void aRepeatWithinTheRetentionIsRecognised() {
        RecentRequests recent = new RecentRequests(3_600_000, 10);
        assertTrue(recent.firstTime("a", 0));
        assertFalse(recent.firstTime("a", 1_000));
        recent.expire(3_600_001);
        assertTrue(recent.firstTime("a", 3_600_002), "forgotten after the retention");
    }

    @Test
    void aFullTableStillCountsAndForgetsTheOldestHalfAtMostOnceAMinute() {
        RecentRequests recent = new RecentRequests(3_600_000, 2);
        assertTrue(recent.firstTime("old", 0));
        assertTrue(recent.firstTime("newer", 2_000_000));
        // Full: "old" (older than half the retention) goes, so "third" is remembered.
        assertTrue(recent.firstTime("third", 2_000_001));
        assertFalse(recent.firstTime("third", 2_000_002));
        assertEquals(2, recent.size());
        // Full again within the minute: counted, not remembered.
        assertTrue(recent.firstTime("fourth", 2_000_003));
        assertTrue(recent.firstTime("fourth", 2_000_004));
        assertFalse(recent.firstTime("newer", 2_000_005), "remembered ids are still recognised");
    }
}
