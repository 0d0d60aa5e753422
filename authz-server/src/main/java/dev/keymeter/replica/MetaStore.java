package dev.keymeter.replica;

import net.openhft.chronicle.map.ChronicleMap;

/**
 * The replica's {@link ReplicaMeta}, persisted in two slots of the meta map and cached for
 * readers.
 *
 * <p>Why two slots: a process killed in the middle of a Chronicle write can lose that entry, old
 * value included (design §5). Each write goes to the slot the current meta is not in, so a kill
 * can cost at most the write in progress; the other slot still holds the meta before it, which is
 * safe to resume from because every change after its revision is applied again (idempotently).
 *
 * <p>Thread-safety: one writer. {@link #current} is a volatile read of an immutable value, so a
 * Check thread sees the newest meta without a lock; the value is published only after its bytes
 * are in the map, so what a reader sees is already durable against a process crash.
 */
final class MetaStore {

    private final ChronicleMap<Integer, byte[]> map;
    private volatile ReplicaMeta current;

    private MetaStore(ChronicleMap<Integer, byte[]> map, ReplicaMeta current) {
        this.map = map;
        this.current = current;
    }

    /**
     * Reads the newer slot. Files without meta are new when they hold no data (written now with
     * {@link ReplicaMeta#fresh}) and unusable when they do.
     *
     * @throws ReplicaUnusableException when a slot holds anything but a meta record of this
     *     layout version, when data has no meta, or when the files were sized for another capacity
     */
    static MetaStore open(ChronicleMap<Integer, byte[]> map, long capacity, boolean dataEmpty)
            throws ReplicaUnusableException {
        ReplicaMeta newest = newer(read(map, 0), read(map, 1));
        if (newest == null) {
            if (!dataEmpty) {
                throw new ReplicaUnusableException("the replica holds keys but no meta record", null);
            }
            MetaStore store = new MetaStore(map, null);
            store.write(ReplicaMeta.fresh(capacity));
            return store;
        }
        if (newest.capacity() != capacity) {
            throw new ReplicaUnusableException("the replica files were created for a capacity of "
                    + newest.capacity() + " digests, not " + capacity, null, true);
        }
        return new MetaStore(map, newest);
    }

    private static ReplicaMeta read(ChronicleMap<Integer, byte[]> map, int slot)
            throws ReplicaUnusableException {
        byte[] value = map.get(slot);
        return value == null ? null : ReplicaMeta.decode(value);
    }

    private static ReplicaMeta newer(ReplicaMeta a, ReplicaMeta b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.sequence() > b.sequence() ? a : b;
    }

    ReplicaMeta current() {
        return current;
    }

    /** Persists {@code next} in its slot, then publishes it to readers. */
    void write(ReplicaMeta next) {
        map.put(next.slot(), next.encode());
        current = next;
    }
}
