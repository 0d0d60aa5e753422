package dev.keymeter.sidecar;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether the sidecar exercises Check in-process before it says it is ready ({@code --warmup}, on by
 * default; {@code --no-warmup}), and how much: at most {@code maxChecks} Checks or {@code maxTime},
 * whichever comes first.
 */
public record WarmUpSettings(boolean enabled, int maxChecks, Duration maxTime) {

    /** 10,000 Checks or 1 s: enough for the JIT to compile the decision's path, short for a start. */
    public static final WarmUpSettings DEFAULT = new WarmUpSettings(true, 10_000, Duration.ofSeconds(1));
    public static final WarmUpSettings OFF = new WarmUpSettings(false, 0, Duration.ZERO);

    public WarmUpSettings {
        Objects.requireNonNull(maxTime, "maxTime");
        if (maxChecks < 0 || maxTime.isNegative()) {
            throw new IllegalArgumentException("warm-up bounds must not be negative: " + maxChecks + ", " + maxTime);
        }
    }

    /** {@link #DEFAULT} when {@code enabled}, else {@link #OFF}. */
    public static WarmUpSettings of(boolean enabled) {
        return enabled ? DEFAULT : OFF;
    }
}
