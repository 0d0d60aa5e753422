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
 * @param emptyAfterMillis milliseconds from the caller's {@code nowMillis} until the window is back
 *                         to its initial state — every counted request has left it, so all of
 *                         {@code limit} is free again (OpenAI's {@code x-ratelimit-reset-requests}):
 *                         when the newest counted request leaves; 0 when the window counts none
 */
public record RateProbe(boolean admitted, long remaining, long limit, long resetAfterMillis, long emptyAfterMillis) {
}
