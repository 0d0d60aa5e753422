/**
 * Per-thread logs: how Check hands per-key bookkeeping (last-used times, per-key request counts) to a
 * background thread instead of doing map lookups on the hot path. {@link
 * dev.keymeter.threadlog.ThreadLogs} is the whole interface; each thread's ring is a lock-free
 * single-producer, single-consumer queue whose memory ordering its class comment explains.
 *
 * <p>A leaf: imports nothing of keymeter. {@code check} and {@code metrics} use it.
 */
package dev.keymeter.threadlog;
