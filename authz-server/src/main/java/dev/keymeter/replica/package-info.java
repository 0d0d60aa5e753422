/**
 * The sidecar's local replica of the control plane's key records: a persisted Chronicle Map keyed by
 * the SHA-256 digest of each live secret, fed by the replication Watch stream, read by Check.
 *
 * <p>One writer (the replication client's thread) and many readers (Check threads). Readers copy an
 * entry into a thread-confined {@link dev.keymeter.replica.ReplicaEntry}; they never hold a reference
 * into off-heap memory. Must not import the check or server packages.
 */
package dev.keymeter.replica;
