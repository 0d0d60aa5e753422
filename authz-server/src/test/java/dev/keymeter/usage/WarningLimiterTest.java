package dev.keymeter.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarningLimiterTest {

    @Test
    void oneLinePerInterval_countingTheRest() {
        AtomicLong now = new AtomicLong(5_000);
        WarningLimiter limiter = new WarningLimiter(1_000, now::get);
        assertEquals(0, limiter.tryLine());
        assertEquals(WarningLimiter.SUPPRESSED, limiter.tryLine());
        assertEquals(WarningLimiter.SUPPRESSED, limiter.tryLine());
        now.addAndGet(999);
        assertEquals(WarningLimiter.SUPPRESSED, limiter.tryLine());
        now.addAndGet(1);
        assertEquals(3, limiter.tryLine());
        now.addAndGet(5_000);
        assertEquals(0, limiter.tryLine());
    }
}
