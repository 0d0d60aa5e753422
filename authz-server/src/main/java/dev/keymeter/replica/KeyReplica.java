package dev.keymeter.replica;

import dev.keymeter.proto.replication.v1.KeyRecord;

/**
 * The sidecar's copy of the key records, addressed by secret digest.
 *
 * <p>Writes come from one thread (the replication client); {@link #lookup} may run on any number of
 * threads at the same time as a write and sees either the old or the new state of an entry, never a
 * mix. The applied revision is stored with the data, so that after a restart the replica serves at
 * once and asks the control plane only for what came after it.
 */
public interface KeyReplica extends AutoCloseable {

    /**
     * Copies the entry for this 32-byte secret digest into {@code into}. Returns false (and leaves
     * {@code into} in an unspecified state) when no live key has this digest.
     */
    boolean lookup(byte[] sha256, ReplicaEntry into);

    /**
     * Copies the entry of the key {@code keyId} (through its current secret) into {@code into}, for
     * usage settlement, which knows keys by id. Returns false when the replica holds no such key.
     */
    boolean lookupKey(String keyId, ReplicaEntry into);

    /**
     * Makes the replica hold {@code record} as the only state of its key: every digest it lists
     * points at it, and digests the key had before but no longer lists are removed.
     *
     * @throws ReplicaFullException when the replica has no room for another entry
     */
    void upsert(KeyRecord record);

    /** Removes the key and every digest it had; a no-op for an unknown key. */
    void delete(String keyId);

    /** Starts a snapshot of the control plane at {@code revision}: keys not upserted before {@link #endSnapshot} go. */
    void beginSnapshot(long revision);

    /** Ends a snapshot: removes the keys the snapshot did not list and records {@code revision} as applied. */
    void endSnapshot(long revision);

    /**
     * Forgets every cached copy of an entry, and with them what readers derived from the copies
     * ({@link EntryMemo}): for a reader whose derivations changed (Check after new settings). A no-op
     * for a replica that caches nothing.
     */
    default void dropCachedCopies() {
    }

    /** The last control-plane revision fully applied; 0 for a replica that never loaded. */
    long appliedRevision();

    /** Records that every change up to {@code revision} is applied. Durable with the data it follows. */
    void markApplied(long revision);

    /**
     * The control-plane store the applied revision belongs to ({@code SnapshotBegin.store_id}); 0 when
     * unknown. Sent back with the revision when replication resumes: another store sends a snapshot.
     */
    default long storeId() {
        return 0;
    }

    /** Records the store the applied revision belongs to. Durable with the revision. */
    default void markStore(long storeId) {
    }

    /** True once a snapshot has completed in the life of this replica file (now or before a restart). */
    boolean isLoaded();

    /** Number of keys held. */
    long keyCount();

    /** Number of secret digests held, and the most the replica was sized for. */
    long digestCount();

    long digestCapacity();

    @Override
    void close();
}
