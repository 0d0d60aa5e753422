package dev.keymeter.usage;

/**
 * Estimated tokens and cost held back at Check for one admitted request, until its usage is settled
 * or the reservation expires. Immutable.
 *
 * @param keyId            the key it was made for
 * @param counterEpoch     the counter cells it was made in ({@link Budgets#counterEpoch})
 * @param tokens           tokens reserved
 * @param tokensPeriodStart the start of the token period it was made in
 * @param costMicroUsd     cost reserved
 * @param costPeriodStart  the start of the cost period it was made in
 * @param model            the model the request named, or {@code null}; prices its usage later
 * @param expiresAtMillis  when an unsettled reservation is charged in full
 */
public record Reservation(String keyId, long counterEpoch, long tokens, long tokensPeriodStart, long costMicroUsd,
        long costPeriodStart, String model, long expiresAtMillis) {
}
