package dev.keymeter.check;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.ObjLongConsumer;

/**
 * One Check thread's key uses that its {@link LastUsedTracker} has not merged yet: a bounded ring with
 * one producer, the thread that owns it, and one consumer at a time, the tracker's merge.
 *
 * <p>Why a log: noting a use in the tracker's shared table is a hash-map lookup by key id, which for a
 * key not used in the last second (most keys, with a million of them) is a chain of cache misses on the
 * Check thread: the id's string, the table's bucket, its node. Appending to this ring writes the next
 * slot of two arrays the thread wrote a moment ago; the lookups happen later, on the tracker's merge.
 *
 * <p><b>Memory ordering.</b> {@code written} and {@code read} count appended and consumed entries since
 * the log was made; entry {@code n} lives at {@code n & mask}. Only the owner writes {@code written}, and
 * only the consumer writes {@code read}. The owner fills an entry with plain stores and then publishes
 * it with a release store of {@code written}; the consumer reads {@code written} with an acquire load,
 * so it sees every entry below that count as written (key ids are strings, whose fields are final).
 * The consumer reads its entries and then gives their slots back with a release store of
 * {@code read}; the owner reads {@code read} with an acquire load before it reuses a slot, so the
 * consumer's reads of that slot happen before the owner's new stores: an entry is never overwritten
 * while it is being merged. The owner rereads {@code read} only when its last copy says the ring is
 * full. Consumers take turns under the tracker's lock, which orders each one's plain read of
 * {@code read} after the previous one's store. On x86 every one of these accesses is a plain move.
 */
final class UseLog {

    private static final VarHandle WRITTEN;
    private static final VarHandle READ;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WRITTEN = lookup.findVarHandle(UseLog.class, "written", long.class);
            READ = lookup.findVarHandle(UseLog.class, "read", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread owner;
    private final String[] keys;
    private final long[] times;
    private final int mask;
    /** Entries appended; written by the owner only (release), read by the consumer (acquire). */
    private long written;
    /** Entries consumed; written by the consumer only (release), read by the owner (acquire). */
    private long read;
    /** The owner's last copy of {@link #read}: at most the true value, so the ring never overfills. */
    private long readSeen;

    /** @param capacity entries the ring holds: a power of two, at least 1 */
    UseLog(Thread owner, int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two of at least 1, was " + capacity);
        }
        this.owner = owner;
        this.keys = new String[capacity];
        this.times = new long[capacity];
        this.mask = capacity - 1;
    }

    /** Appends a use; false when the ring is full. Owner only. */
    boolean offer(String keyId, long timeMillis) {
        long w = written; // only this thread writes it
        if (w - readSeen == keys.length) {
            readSeen = (long) READ.getAcquire(this);
            if (w - readSeen == keys.length) {
                return false;
            }
        }
        int slot = (int) w & mask;
        keys[slot] = keyId;
        times[slot] = timeMillis;
        WRITTEN.setRelease(this, w + 1);
        return true;
    }

    /** Hands every published entry to {@code sink}, oldest first; returns how many. One consumer at a time. */
    int drainTo(ObjLongConsumer<String> sink) {
        long w = (long) WRITTEN.getAcquire(this);
        long r = read;
        for (long n = r; n < w; n++) {
            int slot = (int) n & mask;
            sink.accept(keys[slot], times[slot]);
        }
        READ.setRelease(this, w);
        return (int) (w - r);
    }

    /**
     * True once the owner has terminated. Detecting that through {@link Thread#isAlive} makes every
     * entry it appended visible, so a drain after this answered true empties the log for good.
     */
    boolean ownerGone() {
        return !owner.isAlive();
    }
}
