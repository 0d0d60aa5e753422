/**
 * {@code keymeter check}: the tool an operator reaches for when a caller asks "why was I refused?".
 * It sends one Check to a sidecar, as Envoy would, and prints what the sidecar decided: the decision,
 * the HTTP status Envoy would answer, the precise reason, the headers Envoy would set or remove, and
 * the key's budgets (the {@code x-ratelimit-*} and {@code x-keymeter-budget-*} headers).
 *
 * <p>Owns: building the CheckRequest from the command line ({@link ProbeRequest}), reading a
 * CheckResponse back into a value ({@link CheckOutcome}) and printing it ({@link OutcomePrinter}).
 *
 * <p>Must not: print the token (it is never part of an outcome), or depend on the sidecar's
 * internals: it reads only what Envoy reads, the CheckResponse on the wire.
 *
 * <p>Thread-safety: the command runs once, on the main thread.
 */
package dev.keymeter.checkcli;
