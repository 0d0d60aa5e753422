package dev.keymeter.replica;

import dev.keymeter.proto.replication.v1.KeyRecord;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded on-heap cache of hot entries in front of a {@link KeyReplica}. Real traffic is skewed: a
 * few keys carry most requests, and a lookup that stays on the heap avoids the cache and TLB misses
 * of a large memory-mapped file (design §5: ~1.2 µs per uniformly random lookup over 1 M keys).
 * Heap use is bounded by the slot count, not by the number of keys.
 *
 * <p><b>Structure.</b> A direct-mapped table: the digest's first bytes pick one slot; a slot holds an
 * immutable {@link Slot} (digest, generation, a private copy of the entry) or null. Only found
 * entries are cached: unknown tokens never displace known keys.
 *
 * <p><b>Invalidation.</b> Every write (upsert, delete, snapshot begin/end) goes through this class,
 * which first lets the replica apply it and then increments {@link #generation}. A slot is valid only
 * while its generation equals the current one, so any write invalidates the whole cache at once.
 * Writes are admin actions (rare next to Checks), so this costs little and cannot serve a stale entry.
 *
 * <p><b>Memory ordering.</b> {@code generation} is an {@link AtomicLong}: the writer's increment is a
 * volatile write made after the replica write completed, and a reader's volatile read of it happens
 * before that reader's replica lookup. Hence a reader that fills a slot with generation g read g
 * before its lookup: if the write it might have missed completed before g was published, the reader
 * saw it (volatile read synchronises with the increment); if the write came later, the generation is
 * already past g and the slot is never used. Slots are published by plain array stores, a data race
 * made safe by {@link Slot}'s final fields: a reader that sees a slot sees its digest, generation and
 * the entry copy as they were when the constructor ended (JLS 17.5, reachable through final fields).
 * Two readers racing to fill one slot both store valid slots; the last one wins, and either is correct.
 * Tested by {@code CachingKeyReplicaTest} (a writer revoking while readers look up).
 */
public final class CachingKeyReplica implements KeyReplica {

    /** 65,536 slots: ~20 MB of heap at most; enough for the hot set of a Zipf-shaped million keys. */
    public static final int DEFAULT_SLOTS = 1 << 16;

    private final KeyReplica replica;
    private final Slot[] slots;
    private final int mask;
    private final AtomicLong generation = new AtomicLong();

    /** An immutable cached entry; see the class comment for why its fields are final. */
    private static final class Slot {
        final byte[] digest;
        final long generation;
        final ReplicaEntry entry;

        Slot(byte[] digest, long generation, ReplicaEntry from) {
            this.digest = digest.clone();
            this.generation = generation;
            ReplicaEntry copy = new ReplicaEntry();
            copy.copyFrom(from);
            this.entry = copy;
        }
    }

    public CachingKeyReplica(KeyReplica replica, int slots) {
        this.replica = Objects.requireNonNull(replica, "replica");
        if (slots < 1 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, was " + slots);
        }
        this.slots = new Slot[slots];
        this.mask = slots - 1;
    }

    @Override
    public boolean lookup(byte[] sha256, ReplicaEntry into) {
        long current = generation.get();
        int index = index(sha256);
        Slot slot = slots[index];
        if (slot != null && slot.generation == current && Arrays.equals(slot.digest, sha256)) {
            into.copyFrom(slot.entry);
            return true;
        }
        if (!replica.lookup(sha256, into)) {
            return false;
        }
        slots[index] = new Slot(sha256, current, into);
        return true;
    }

    @Override
    public boolean lookupKey(String keyId, ReplicaEntry into) {
        return replica.lookupKey(keyId, into); // settlement, off the hot path: not cached
    }

    private int index(byte[] sha256) {
        // SHA-256 output is uniform: its first four bytes are as good a hash as any.
        int h = (sha256[0] & 0xff) | (sha256[1] & 0xff) << 8 | (sha256[2] & 0xff) << 16 | (sha256[3] & 0xff) << 24;
        return h & mask;
    }

    @Override
    public void upsert(KeyRecord record) {
        try {
            replica.upsert(record);
        } finally {
            generation.incrementAndGet();
        }
    }

    @Override
    public void delete(String keyId) {
        try {
            replica.delete(keyId);
        } finally {
            generation.incrementAndGet();
        }
    }

    @Override
    public void beginSnapshot(long revision) {
        replica.beginSnapshot(revision);
        generation.incrementAndGet();
    }

    @Override
    public void endSnapshot(long revision) {
        try {
            replica.endSnapshot(revision);
        } finally {
            generation.incrementAndGet();
        }
    }

    @Override
    public long appliedRevision() {
        return replica.appliedRevision();
    }

    @Override
    public void markApplied(long revision) {
        replica.markApplied(revision);
    }

    @Override
    public boolean isLoaded() {
        return replica.isLoaded();
    }

    @Override
    public long keyCount() {
        return replica.keyCount();
    }

    @Override
    public long digestCount() {
        return replica.digestCount();
    }

    @Override
    public long digestCapacity() {
        return replica.digestCapacity();
    }

    @Override
    public void close() {
        generation.incrementAndGet();
        replica.close();
    }
}
