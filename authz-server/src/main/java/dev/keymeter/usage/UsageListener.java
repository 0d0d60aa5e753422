package dev.keymeter.usage;

/**
 * Hears what the ledger charges, for per-key metrics. Called on the settling thread (a gRPC thread or
 * the background sweeper); must not block or throw. Every method defaults to doing nothing.
 */
public interface UsageListener {

    UsageListener NONE = new UsageListener() {
    };

    /** Usage charged to {@code keyId} (settled, charged without reservation, or an expired reservation's estimate). */
    default void charged(String keyId, long inputTokens, long outputTokens, long costMicroUsd) {
    }

    /** Usage of a model without a price could not be turned into cost (policy refuse). */
    default void unpriced(String keyId) {
    }

    /** A reservation got no usage within its TTL and was charged in full: its estimates. */
    default void reservationExpired(String keyId, long tokens, long costMicroUsd) {
    }
}
