/**
 * Process logging: the one-line text or JSON format of every log record, and the rate-limited log
 * of Check denials. Log fields come from enums and key ids, never from client input, and never hold
 * a token. Thread-safe.
 */
package dev.keymeter.logging;
