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
 * Heap use is bounded by the slot count, not by the number of keys. Each cached copy is also its own
 * {@link EntryMemo}, so that what a reader derives from a hot key (Check's allowed response and
 * last-use time) is shared by every thread and retired together with the copy.
 *
 * <p><b>Structure.</b> Set-associative, {@value #WAYS} ways: the digest's first four bytes pick a set,
 * its next four are the set's tag for it. {@code tags} holds each way's tag in one small array, so a
 * lookup reads one or two cache lines of tags and dereferences only the way whose tag matches; a way
 * holds a {@link Slot} or null. A slot is one object with everything a hit reads: the digest (four
 * longs), the generation it was filled in, the entry copy (the slot extends {@link ReplicaEntry}) and
 * the memo's fields. With a million keys most of a hit's cost is cache misses, and each object a hit
 * does not have to follow is one dependent miss fewer. Only found entries are cached: unknown
 * tokens never displace known keys. A miss fills an empty or stale way, else a random one (no
 * bookkeeping on hits, so hits never write). Simulated for the Zipf-shaped access of
 * {@code CheckDecisionBenchmark} over a million keys, 26,500 distinct keys in 65,536 requests: 65,536
 * slots miss 14% of lookups with one way per set, 0.2% with eight; each miss costs a Chronicle read
 * and a new response.
 *
 * <p><b>The memo's value beside its slot.</b> {@code slots} holds two references per way: the slot,
 * and next to it (same cache line) the value claimed in the slot's memo. A hit hands that second
 * reference out as {@link ReplicaEntry#memoHint}. Check's value is the hot key's reply, a separate
 * object that every allowed request then reads; read through the slot, it would be a third dependent
 * miss (tags and slot reference, then the slot, then the reply). Read beside the slot reference, its
 * load starts as soon as that line arrives, together with the slot's. It is only a hint: the value to
 * use is the memo's, and a reader uses the hint only when it is the same object
 * ({@code HotKey.allowed}).
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
 * already past g and the slot is never used. A slot is published by a release store into
 * {@code slots} after its constructor wrote every field, and read with an acquire load: a reader that
 * sees a slot sees its digest, generation and entry copy as the constructor left them (the entry's
 * fields are not final, so the final-field guarantee alone would not cover them). No one writes those
 * fields afterwards; the memo's own fields follow {@link EntryMemo}'s protocol. On x86 both accesses
 * are plain moves. The tag and the slot of a way are two stores that a reader may see in either
 * order, or one without the other (int and reference stores never tear, JLS 17.7). That is harmless:
 * a tag only chooses which slot to examine, and a slot is served only after its full digest and
 * generation matched, so a tag out of step with its slot can cause a miss, never a wrong answer. Two
 * readers racing to fill a set both store valid slots; either may win, and either is correct. The
 * hint follows the same rules: a filler clears it before it publishes its slot, and a claim stores its
 * value there with a release store after the memo's own volatile write, and only while its slot is
 * still in the way. A claim racing with a refill can still leave a value beside a slot it does not
 * belong to. Readers compare the hint with the memo's value by identity and otherwise ignore it, so
 * a stale hint costs one wasted load, never a wrong answer.
 * Tested by {@code CachingKeyReplicaTest} (a writer revoking while readers look up; the hint after a
 * claim, after a write, and after a claim through a retired copy) and {@code CheckConcurrencyTest}
 * (threads deciding through one set of eight ways refilled all the time).
 */
public final class CachingKeyReplica implements KeyReplica {

    /**
     * 65,536 slots: enough for the hot set of a Zipf-shaped million keys. Heap (measured with 60,000
     * keys, retained after a full GC): ~260 bytes per cached key (the slot, and the key id and project
     * strings it shares with no one), and ~1.2 KB more once Check has remembered its response and
     * its wire bytes — about 97 MB with every slot in use (plus ~150 B per model variant of the
     * response, at most four per key). The index itself is 768 KB: a tag and two references per slot.
     */
    public static final int DEFAULT_SLOTS = 1 << 16;
    /** Ways per set: eight int tags are 32 bytes, at most two cache lines to read per lookup. */
    static final int WAYS = 8;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final int DIGEST_BYTES = 32;

    private final KeyReplica replica;
    private final int[] tags;
    /** Way {@code w}'s slot at {@code 2w}, and the value claimed in its memo (a hint) at {@code 2w + 1}. */
    private final Object[] slots;
    private final int setMask;
    private final AtomicLong generation = new AtomicLong();

    /**
     * A cached entry: the digest it answers for, the generation it was filled in, the entry copy
     * (inherited fields, written once by the constructor) and, as the copy's {@link EntryMemo}, the
     * memo's fields. Never handed out: a hit copies it into the caller's holder.
     */
    private static final class Slot extends ReplicaEntry implements EntryMemo {
        private static final VarHandle CONTEXT;

        static {
            try {
                CONTEXT = MethodHandles.lookup().findVarHandle(Slot.class, "context", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long d0;
        final long d1;
        final long d2;
        final long d3;
        final long generation;
        /** The cache's {@code slots} array and this slot's index in it, for the hint beside it. */
        private final Object[] home;
        private final int at;
        private volatile Object context;
        private volatile Object value;
        private volatile long noted;

        Slot(byte[] sha256, long generation, ReplicaEntry from, Object[] home, int at) {
            this.home = home;
            this.at = at;
            this.d0 = word(sha256, 0);
            this.d1 = word(sha256, 1);
            this.d2 = word(sha256, 2);
            this.d3 = word(sha256, 3);
            this.generation = generation;
            copyFrom(from); // memo and hint stay null: the slot is the memo of the copies it hands out
        }

        boolean holds(long w0, byte[] sha256, long current) {
            return generation == current && d0 == w0 && d1 == word(sha256, 1) && d2 == word(sha256, 2)
                    && d3 == word(sha256, 3);
        }

        @Override
        public Object valueFor(Object context) {
            return this.context == context ? value : null;
        }

        @Override
        public boolean claim(Object context, Object value) {
            if (!CONTEXT.compareAndSet(this, null, Objects.requireNonNull(context, "context"))) {
                return false;
            }
            this.value = value;
            if (SLOTS.getAcquire(home, at) == this) {
                SLOTS.setRelease(home, at + 1, value); // the hint: see the class comment
            }
            return true;
        }

        @Override
        public long noted() {
            return noted;
        }

        @Override
        public void note(long time) {
            noted = time;
        }
    }

    /** @param slots how many entries to keep: a power of two, at least {@value #WAYS} */
    public CachingKeyReplica(KeyReplica replica, int slots) {
        this.replica = Objects.requireNonNull(replica, "replica");
        if (slots < WAYS || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two of at least " + WAYS + ", was " + slots);
        }
        this.tags = new int[slots];
        this.slots = new Object[2 * slots];
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
                Slot slot = (Slot) SLOTS.getAcquire(slots, 2 * i);
                Object hint = SLOTS.getAcquire(slots, 2 * i + 1); // same line as the slot reference
                if (slot != null && slot.holds(w0, sha256, current)) {
                    into.copyFrom(slot);
                    into.memo = slot;
                    into.memoHint = hint;
                    return true;
                }
            }
        }
        if (!replica.lookup(sha256, into)) {
            return false;
        }
        int way = base + victim(base, current);
        Slot filled = new Slot(sha256, current, into, slots, 2 * way);
        SLOTS.setRelease(slots, 2 * way + 1, null); // no hint from the slot this one replaces
        SLOTS.setRelease(slots, 2 * way, filled);
        tags[way] = tag;
        into.memo = filled;
        into.memoHint = null;
        return true;
    }

    /** An empty or stale way of the set at {@code base}, else a random one (no bookkeeping on hits). */
    private int victim(int base, long current) {
        for (int w = 0; w < WAYS; w++) {
            Slot slot = (Slot) SLOTS.getAcquire(slots, 2 * (base + w));
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
    public void dropCachedCopies() {
        generation.incrementAndGet();
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
    public long storeId() {
        return replica.storeId();
    }

    @Override
    public void markStore(long storeId) {
        replica.markStore(storeId);
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
