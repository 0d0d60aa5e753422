package dev.keymeter.console;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a console session lives.
 *
 * @param idle a session unused for this long is gone (default 30 minutes)
 * @param absolute a session is gone this long after sign-in, used or not (default 12 hours)
 * @param maxSessions most sessions held at once; past it the least recently used one is dropped, so a
 *     flood of sign-ins cannot fill the heap
 */
public record SessionLimits(Duration idle, Duration absolute, int maxSessions) {

    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(30);
    public static final Duration DEFAULT_ABSOLUTE = Duration.ofHours(12);
    public static final int DEFAULT_MAX_SESSIONS = 10_000;
    public static final SessionLimits DEFAULTS = new SessionLimits(DEFAULT_IDLE, DEFAULT_ABSOLUTE, DEFAULT_MAX_SESSIONS);

    public SessionLimits {
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(absolute, "absolute");
        if (idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("console session idle expiry must be positive, was " + idle);
        }
        if (absolute.compareTo(idle) < 0) {
            throw new IllegalArgumentException("console session lifetime " + absolute
                    + " is shorter than its idle expiry " + idle);
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1, was " + maxSessions);
        }
    }
}
