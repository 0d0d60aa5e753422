package dev.keymeter.keys;

/**
 * The largest limit a sidecar's counters hold, per dimension: the one definition the admin API
 * validates against and the sidecar saturates to.
 *
 * <p>The bounds come from the counter words' packing in the sidecar's counters ({@code
 * dev.keymeter.quota}): a rolling window counts in 32 bits (one value kept free), a period budget in
 * 44 bits beside its 20-bit period number ({@code LimitBoundTest} holds the two definitions equal). A limit
 * above its bound cannot be applied at all (the counters refuse it), so the control plane refuses it
 * at the door, and a sidecar that meets one anyway (a record from an older version, a store written
 * by hand) counts against the bound instead: it never fails a request for it.
 *
 * <p>Amounts are the integer units of design §3: requests, tokens, micro-USD.
 */
public enum LimitBound {

    /** Requests in any rolling 60 s: 4,294,967,294. */
    REQUESTS_PER_MINUTE(0xFFFF_FFFEL),
    /** Tokens per reset period: 17,592,186,044,415. */
    TOKENS((1L << 44) - 1),
    /** Micro-USD per reset period: 17,592,186,044,415 (about 17.6 million USD). */
    COST_MICRO_USD((1L << 44) - 1);

    private final long max;

    LimitBound(long max) {
        this.max = max;
    }

    /** The largest limit the counters hold; 0 is the smallest (a key that may use nothing). */
    public long max() {
        return max;
    }

    /** True when {@code limit} is in {@code [0, max()]}. */
    public boolean holds(long limit) {
        return limit >= 0 && limit <= max;
    }

    /**
     * {@code amount} brought into {@code [0, max()]}. Negative amounts become 0, the conservative
     * side for a limit; usage and estimates are never negative where this is used.
     */
    public long saturate(long amount) {
        return Math.max(0, Math.min(max, amount));
    }
}
