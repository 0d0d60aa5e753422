/**
 * The sidecar's local replica of the control plane's key records: a persisted Chronicle Map keyed by
 * the SHA-256 digest of each live secret, fed by the replication Watch stream, read by Check.
 *
 * <p>One writer (the replication client's thread) and many readers (Check threads). Readers copy an
 * entry into a thread-confined {@link dev.keymeter.replica.ReplicaEntry}; they never hold a reference
 * into off-heap memory. Must not import the check or server packages.
 *
 * <p>The Chronicle implementation, {@link dev.keymeter.replica.ChronicleKeyReplica}, keeps three
 * files in one directory (digest → entry, key id → digests, meta) and is built from small parts:
 * {@code ReplicaFiles} (opening and moving the files, under {@code DirectoryLock}),
 * {@code EntryLayout}, {@code KeyDigests} and {@code ReplicaMeta} (the byte layouts),
 * {@code DigestIndex} (the data maps and the invariant that every digest is listed by its key),
 * {@code MetaStore} (the two-slot meta) and {@code KeyRecords} (checking a replication record
 * before anything is written; a limit beyond the counters is kept as the bound, {@code HeldLimits}).
 * Its class comment holds the thread-safety and crash-safety
 * reasoning. The one server package it uses is {@code dev.keymeter.chronicle}, the storage
 * plumbing through which the process opens every map file; never the commands or {@code Main}.
 *
 * <p>{@link dev.keymeter.replica.CachingKeyReplica} keeps a bounded on-heap copy of hot entries in
 * front of it (set-associative; invalidated by a generation counter on every write), each with an
 * {@link dev.keymeter.replica.EntryMemo} where a reader keeps what it derived from the entry, and a
 * reference to that value beside the entry's in the cache's index, so both load at once. {@link
 * dev.keymeter.replica.ReplicationClient} follows the control plane's Watch stream, with backoff,
 * and applies every event on its one thread ({@code WatchEventApplier}).
 */
package dev.keymeter.replica;
