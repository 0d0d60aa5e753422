package dev.keymeter.usage;

import java.util.Objects;

/**
 * The usage of one request, as an access-log entry or a {@code Report} call told it. Immutable.
 *
 * @param requestId     the request's {@code x-request-id}, the idempotency key; {@code null} when the
 *                      source had none (then the record cannot be de-duplicated)
 * @param keyId         the key that made the request
 * @param reservationId the reservation Check made for it, or {@code null}
 * @param model         the model that served it, or {@code null}; prices tokens when the cost is unknown
 * @param inputTokens   input (prompt) tokens, ≥ 0
 * @param outputTokens  output (completion) tokens, ≥ 0
 * @param costMicroUsd  the reported cost in micro-USD, or {@link #UNKNOWN_COST} to price the tokens
 * @param source        where it came from, for metrics
 */
public record UsageRecord(String requestId, String keyId, String reservationId, String model, long inputTokens,
        long outputTokens, long costMicroUsd, Source source) {

    public static final long UNKNOWN_COST = -1;

    /** Where usage came from: a fixed set, safe as a metric label. */
    public enum Source {
        ACCESS_LOG("access_log"),
        REPORT("report");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public UsageRecord {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(source, "source");
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        if (costMicroUsd < 0 && costMicroUsd != UNKNOWN_COST) {
            throw new IllegalArgumentException("cost must not be negative");
        }
    }

    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    public boolean hasCost() {
        return costMicroUsd != UNKNOWN_COST;
    }
}
