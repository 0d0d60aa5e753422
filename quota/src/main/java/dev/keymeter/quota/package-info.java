/**
 * Budgets: reset periods aligned to UTC calendar boundaries, and (later) the per-key counters.
 *
 * <p>Plain Java. Must not import gRPC, Micrometer or Envoy classes. Every type here is immutable and
 * thread-safe unless its Javadoc says otherwise. Time is always passed in, never read from the system
 * clock, so tests control it.
 */
package dev.keymeter.quota;
