package dev.keymeter.replica;

import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * The two data maps and the one invariant between them: <b>every digest in the digest map is
 * listed by its key in the key map</b>. Deletes and sweeps find digests through the key map, so a
 * digest the key map does not list could never be removed and would authenticate forever.
 *
 * <p>Each write keeps the invariant at every step, so a process killed between any two steps
 * leaves it true: digests leave the digest map before the key map stops listing them, and the
 * key map lists digests before the digest map gets them. A kill in the middle of one Chronicle
 * write can still lose that one entry (design §5); losing a key-map entry would orphan its
 * digests, so after any recovery {@link #removeOrphans} restores the invariant before the replica
 * serves.
 *
 * <p>Between steps a key's digests may be gone or stale for a moment, never wrong for another key:
 * a concurrent lookup sees each digest's entry either before or after its own put.
 *
 * <p>Thread-safety: {@link #lookup} and the counts from any thread; the writes from one thread at
 * a time (the owning {@link ChronicleKeyReplica} serializes them).
 */
final class DigestIndex {

    /** One record buffer per Check thread: lookups copy into it, so they allocate nothing. */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[EntryLayout.BYTES]);

    private final ChronicleMap<byte[], byte[]> digests;
    private final ChronicleMap<byte[], byte[]> keys;

    DigestIndex(ChronicleMap<byte[], byte[]> digests, ChronicleMap<byte[], byte[]> keys) {
        this.digests = digests;
        this.keys = keys;
    }

    /**
     * Copies the entry for {@code sha256} into {@code into}. {@code getUsing} copies the whole
     * value under the segment's read lock, so the copy is one put's value, never a mix of two; the
     * lock's acquisition (a CAS on the lock word in the mapped file) is also what makes the
     * writer's bytes visible to this thread. A record that does not decode reads as absent.
     */
    boolean lookup(byte[] sha256, ReplicaEntry into) {
        byte[] record = digests.getUsing(sha256, SCRATCH.get());
        return record != null && EntryLayout.decode(record, into);
    }

    long digestCount() {
        return digests.longSize();
    }

    long keyCount() {
        return keys.longSize();
    }

    /** The key's digests, or {@code null} when the key map has no (valid) entry for it. */
    KeyDigests digestsOf(byte[] keyMapKey) {
        byte[] value = keys.get(keyMapKey);
        return value == null ? null : KeyDigests.decode(value);
    }

    /** How many of {@code candidates} the digest map holds. */
    int present(List<byte[]> candidates) {
        int present = 0;
        for (byte[] digest : candidates) {
            present += digests.containsKey(digest) ? 1 : 0;
        }
        return present;
    }

    /**
     * Makes {@code next} the key's only digests, each with {@code record} (its grace expiry set per
     * digest). Room must have been checked: a refusal from Chronicle here is a surprise, answered by
     * removing the key entirely (it then fails closed) and rethrowing.
     */
    void replace(byte[] keyMapKey, KeyDigests old, KeyUpdate update, long generation) {
        List<byte[]> nextDigests = update.digests();
        removeDigests(old == null ? List.of() : old.leaving(nextDigests)); // 1. digests leave first
        if (nextDigests.isEmpty()) {
            keys.remove(keyMapKey);
            return;
        }
        keys.put(keyMapKey, new KeyDigests(generation, nextDigests).encode()); // 2. listed
        byte[] record = EntryLayout.encode(update.entry());
        try {
            for (KeyUpdate.Secret secret : update.secrets()) {     // 3. then written
                EntryLayout.setSecretExpiry(record, secret.expiresAtMillis());
                digests.put(secret.sha256(), record);
            }
        } catch (IllegalStateException refused) {
            remove(keyMapKey);
            throw refused;
        }
    }

    /** Removes the key and its digests, digests first; a no-op for an unknown key. */
    void remove(byte[] keyMapKey) {
        KeyDigests old = digestsOf(keyMapKey);
        if (old != null) {
            removeDigests(old.digests());
        }
        keys.remove(keyMapKey);
    }

    private void removeDigests(List<byte[]> leaving) {
        for (byte[] digest : leaving) {
            digests.remove(digest);
        }
    }

    /** Removes every key not written in {@code generation}, digests first; returns how many. */
    long sweep(long generation) {
        long[] removed = {0};
        byte[] value = new byte[KeyDigests.BYTES];
        keys.forEachEntry(entry -> {
            KeyDigests key = KeyDigests.decode(entry.value().getUsing(value));
            if (key == null || key.generation() != generation) {
                removeDigests(key == null ? List.of() : key.digests());
                entry.doRemove();
                removed[0]++;
            }
        });
        return removed[0];
    }

    /**
     * After a recovery: removes key-map values that do not decode, then every digest whose record
     * does not decode or whose key does not list it. Returns how many digests went.
     */
    long removeOrphans() {
        byte[] keyValue = new byte[KeyDigests.BYTES];
        keys.forEachEntry(entry -> {
            if (KeyDigests.decode(entry.value().getUsing(keyValue)) == null) {
                entry.doRemove();
            }
        });
        long[] removed = {0};
        byte[] record = new byte[EntryLayout.BYTES];
        byte[] digest = new byte[KeyDigests.DIGEST_BYTES];
        digests.forEachEntry(entry -> {
            entry.value().getUsing(record);
            entry.key().getUsing(digest);
            KeyDigests owner = EntryLayout.valid(record) ? digestsOf(EntryLayout.keyMapKey(record)) : null;
            if (owner == null || !owner.lists(digest)) {
                entry.doRemove();
                removed[0]++;
            }
        });
        return removed[0];
    }
}
