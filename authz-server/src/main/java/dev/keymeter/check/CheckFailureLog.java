package dev.keymeter.check;

import dev.keymeter.usage.WarningLimiter;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.LongSupplier;

/**
 * Writes why a Check could not decide (answered gRPC INTERNAL, counted as {@code decision="error"}),
 * at most one line per interval: such a failure is a bug or a broken replica, and without a line it
 * shows only as Envoy's {@code status_on_error}.
 *
 * <p>The line holds the exception's class and where it was thrown (a few stack frames), never its
 * message: a message could quote request data (a header, a token), which the log must not hold.
 * Lines over the budget are counted and reported by the next line written.
 *
 * <p>Thread-safe and lock-free ({@link WarningLimiter}); the string is built only for a line written.
 */
final class CheckFailureLog {

    /** At most one line per this many milliseconds. */
    static final long INTERVAL_MILLIS = 10_000;
    private static final int FRAMES = 4;
    private static final Logger LOG = System.getLogger("keymeter.check");

    private final WarningLimiter limiter;

    CheckFailureLog(LongSupplier nowMillis) {
        this.limiter = new WarningLimiter(INTERVAL_MILLIS, nowMillis);
    }

    /** Logs {@code failure} unless a line was written less than an interval ago. */
    void failed(RuntimeException failure) {
        long skipped = limiter.tryLine();
        if (skipped != WarningLimiter.SUPPRESSED) {
            LOG.log(Level.WARNING, describe(failure) + (skipped == 0 ? ""
                    : " (" + skipped + " more since the last line)"));
        }
    }

    /** {@code Check failed (gRPC INTERNAL): java.lang.IllegalStateException at a.B.c(B.java:1) < …}. */
    static String describe(RuntimeException failure) {
        StringBuilder line = new StringBuilder("Check failed (gRPC INTERNAL): ").append(failure.getClass().getName());
        StackTraceElement[] frames = failure.getStackTrace();
        for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
            line.append(i == 0 ? " at " : " < ").append(frames[i]);
        }
        return line.toString();
    }
}
