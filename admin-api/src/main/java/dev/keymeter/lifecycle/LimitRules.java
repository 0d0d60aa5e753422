package dev.keymeter.lifecycle;

import dev.keymeter.keys.Limits;
import dev.keymeter.keys.LimitBound;
import java.math.BigDecimal;

/**
 * The control plane's side of {@link LimitBound}: a key may only be given limits that every
 * sidecar's counters hold, so that what the admin API accepts is what Check applies. The request
 * reader refuses an out-of-range field (INVALID_ARGUMENT); a key stored with one before these
 * bounds existed keeps working (the sidecars count against the bound), but is not copied.
 */
public final class LimitRules {

    private LimitRules() {
    }

    /** The rule a limit of this dimension must meet, naming the maximum and its unit. */
    public static String rule(LimitBound bound) {
        return "must be between 0 and " + bound.max() + switch (bound) {
            case REQUESTS_PER_MINUTE -> " requests";
            case TOKENS -> " tokens";
            case COST_MICRO_USD -> " micro-USD (" + BigDecimal.valueOf(bound.max(), 6).toPlainString() + " USD)";
        };
    }

    /**
     * Refuses to copy {@code limits} of key {@code keyId} (FAILED_PRECONDITION) when one of them is
     * beyond its bound: a key stored by an older version may hold one, and a copy would be a new key
     * whose limit the sidecars cannot apply.
     */
    static void requireHeld(String keyId, Limits limits) {
        check(keyId, "limits.cost_limit_micro_usd", limits.costLimitMicroUsd(), LimitBound.COST_MICRO_USD);
        check(keyId, "limits.token_limit", limits.tokenLimit(), LimitBound.TOKENS);
        check(keyId, "limits.requests_per_minute", limits.requestsPerMinute(), LimitBound.REQUESTS_PER_MINUTE);
    }

    private static void check(String keyId, String field, Long limit, LimitBound bound) {
        if (limit != null && !bound.holds(limit)) {
            throw AdminFailure.precondition("key " + keyId + " has " + field + " " + limit + "; a limit "
                    + rule(bound) + ": update its limits before duplicating it");
        }
    }
}
