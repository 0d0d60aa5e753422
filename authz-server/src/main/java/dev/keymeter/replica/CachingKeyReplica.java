package dev.keymeter.replica;

import dev.keymeter.proto.replication.v1.KeyRecord;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded on-heap cache of hot entries in front of a {@link KeyReplica}. Real traffic is skewed: a
 * few keys carry most requests, and a lookup that stays on the heap avoids the cache and TLB misses
 * of a large memory-mapped file (design §5: ~1.2 µs per uniformly random lookup over 1 M keys).
 * Heap use is bounded by the slot count, not by the number of keys. Each cached copy carries an
 * {@link EntryMemo}, so that what a reader derives from a hot key (Check's allowed response) is shared
 * by every thread and retired together with the copy.
 *
 * <p><b>Structure.</b> Set-associative, {@value #WAYS} ways: the digest's first four bytes pick a set,
 * its next four are the set's tag for it. {@code tags} holds each way's tag in one small array, so a
 * lookup reads one or two cache lines of tags and dereferences only the way whose tag matches; a way
 * holds a {@link Slot} (the digest, the generation it was filled in, a private copy of the entry, all
 * final; and, being the copy's {@link EntryMemo} itself, one volatile field for readers) or null.
 * Only found entries are cached: unknown tokens never displace known keys. A miss fills an empty or
 * stale way, else a random one (no bookkeeping on hits, so hits never write). Simulated for the
 * Zipf-shaped access of {@code CheckDecisionBenchmark} over a million keys, 26,500 distinct keys in
 * 65,536 requests: 65,536 slots miss 14% of lookups with one way per set, 0.2% with eight; each miss
 * costs a Chronicle read and a new response.
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
 * The tag and the slot of a way are two plain stores that a reader may see in either order, or one
 * without the other (int and reference stores never tear, JLS 17.7). That is harmless: a tag only
 * chooses which slot to examine, and a slot is served only after its full digest and generation
 * matched, so a tag out of step with its slot can cause a miss, never a wrong answer. Two readers
 * racing to fill a set both store valid slots; either may win, and either is correct.
 * Tested by {@code CachingKeyReplicaTest} (a writer revoking while readers look up).
 */
public final class CachingKeyReplica implements KeyReplica {

    /**
     * 65,536 slots: enough for the hot set of a Zipf-shaped million keys. Heap (measured with 60,000
     * keys): ~190 bytes per cached key, and ~870 more once Check has remembered its response and last
     * use — about 70 MB with every slot in use.
     */
    public static final int DEFAULT_SLOTS = 1 << 16;
    /** Ways per set: eight int tags are 32 bytes, at most two cache lines to read per lookup. */
    static final int WAYS = 8;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int DIGEST_BYTES = 32;

    private final KeyReplica replica;
    private final int[] tags;
    private final Slot[] slots;
    private final int setMask;
    private final AtomicLong generation = new AtomicLong();

    /**
     * A cached entry, and the memo of its copy (see the class comment for why its own fields are final).
     * The digest is held inline as four longs, so that checking a hit reads this object and not
     * another array.
     */
    private static final class Slot extends EntryMemo {
        final long d0;
        final long d1;
        final long d2;
        final long d3;
        final long generation;
        final ReplicaEntry entry;

        Slot(byte[] sha256, long generation, ReplicaEntry from) {
            this.d0 = word(sha256, 0);
            this.d1 = word(sha256, 1);
            this.d2 = word(sha256, 2);
            this.d3 = word(sha256, 3);
            this.generation = generation;
            ReplicaEntry copy = new ReplicaEntry();
            copy.copyFrom(from);
            this.entry = copy;
        }

        boolean holds(long w0, byte[] sha256, long current) {
            return generation == current && d0 == w0 && d1 == word(sha256, 1) && d2 == word(sha256, 2)
                    && d3 == word(sha256, 3);
        }
    }

    /** @param slots how many entries to keep: a power of two, at least {@value #WAYS} */
    public CachingKeyReplica(KeyReplica replica, int slots) {
        this.replica = Objects.requireNonNull(replica, "replica");
        if (slots < WAYS || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two of at least " + WAYS + ", was " + slots);
        }
        this.tags = new int[slots];
        this.slots = new Slot[slots];
        this.setMask = slots / WAYS - 1;
    }

    @Override
    public boolean lookup(byte[] sha256, ReplicaEntry into) {
        if (sha256.length != DIGEST_BYTES) {
            return replica.lookup(sha256, into); // not a SHA-256: let the store answer (it finds nothing)
        }
        long current = generation.get();
        long w0 = word(sha256, 0);
        // SHA-256 output is uniform: its first bytes are as good a hash as any.
        int base = ((int) w0 & setMask) * WAYS;
        int tag = (int) (w0 >>> 32);
        for (int i = base; i < base + WAYS; i++) {
            if (tags[i] == tag) {
                Slot slot = slots[i];
                if (slot != null && slot.holds(w0, sha256, current)) {
                    into.copyFrom(slot.entry);
                    into.memo = slot;
                    return true;
                }
            }
        }
        if (!replica.lookup(sha256, into)) {
            return false;
        }
        Slot filled = new Slot(sha256, current, into);
        int way = base + victim(base, current);
        slots[way] = filled;
        tags[way] = tag;
        into.memo = filled;
        return true;
    }

    /** An empty or stale way of the set at {@code base}, else a random one (no bookkeeping on hits). */
    private int victim(int base, long current) {
        for (int w = 0; w < WAYS; w++) {
            Slot slot = slots[base + w];
            if (slot == null || slot.generation != current) {
                return w;
            }
        }
        return ThreadLocalRandom.current().nextInt(WAYS);
    }

    private static long word(byte[] sha256, int i) {
        return (long) LONGS.get(sha256, i * Long.BYTES);
    }

    @Override
    public boolean lookupKey(String keyId, ReplicaEntry into) {
        return replica.lookupKey(keyId, into); // settlement, off the hot path: not cached
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
