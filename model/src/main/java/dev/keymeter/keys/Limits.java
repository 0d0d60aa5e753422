package dev.keymeter.keys;

import dev.keymeter.keys.ResetPeriod;
import java.util.Objects;

/**
 * A key's optional budgets, in integer units. A {@code null} limit means "no limit". The reset
 * period applies to cost and tokens, never to requests per minute.
 *
 * @param costLimitMicroUsd total spend per period, in micro-USD (1 USD = 1,000,000)
 * @param tokenLimit total tokens (input + output) per period
 * @param requestsPerMinute requests in any rolling 60-second window
 * @param resetPeriod when cost and token counters reset
 */
public record Limits(Long costLimitMicroUsd, Long tokenLimit, Long requestsPerMinute, ResetPeriod resetPeriod) {

    public static final Limits NONE = new Limits(null, null, null, ResetPeriod.NEVER);

    public Limits {
        Objects.requireNonNull(resetPeriod, "resetPeriod");
    }

    /** True when no budget is set (the reset period alone limits nothing). */
    public boolean isUnlimited() {
        return costLimitMicroUsd == null && tokenLimit == null && requestsPerMinute == null;
    }
}
