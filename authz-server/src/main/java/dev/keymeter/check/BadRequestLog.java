package dev.keymeter.check;

import dev.keymeter.usage.WarningLimiter;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.LongSupplier;

/**
 * Writes that Check refused a request it could not read ({@link BadRequest#logLine()}), at most one
 * line per interval: a client sending such requests in a loop must not become a flood of log I/O.
 * Lines over the budget are counted and reported by the next line written. The line names the header
 * or field, never a value. Thread-safe and lock-free ({@link WarningLimiter}).
 */
final class BadRequestLog {

    /** At most one line per this many milliseconds. */
    static final long INTERVAL_MILLIS = 10_000;
    private static final Logger LOG = System.getLogger("keymeter.check");

    private final WarningLimiter limiter;

    BadRequestLog(LongSupplier nowMillis) {
        this.limiter = new WarningLimiter(INTERVAL_MILLIS, nowMillis);
    }

    void refused(BadRequest bad) {
        if (bad.logLine() == null) {
            return;
        }
        long skipped = limiter.tryLine();
        if (skipped != WarningLimiter.SUPPRESSED) {
            LOG.log(Level.WARNING, bad.logLine() + (skipped == 0 ? ""
                    : " (" + skipped + " more unreadable requests since the last line)"));
        }
    }
}
