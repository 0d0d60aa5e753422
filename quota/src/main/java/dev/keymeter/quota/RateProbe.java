package dev.keymeter.quota;

/**
 * The answer of {@link RollingWindow#tryAcquire}: everything a 429 (or a rate-limit header on an
 * allowed response) needs. Immutable.
 *
 * @param admitted         whether this request was counted and may proceed
 * @param remaining        permits left in the window after this call (0 when refused)
 * @param limit            the limit the decision used
 * @param resetAfterMillis milliseconds from the caller's {@code nowMillis} until at least one more
 *                         permit is free: 0 while {@code remaining > 0}; {@link Long#MAX_VALUE} when
 *                         the limit is 0 (no permit ever frees up)
 */
public record RateProbe(boolean admitted, long remaining, long limit, long resetAfterMillis) {
}
