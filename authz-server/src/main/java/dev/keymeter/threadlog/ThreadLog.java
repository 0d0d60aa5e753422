package dev.keymeter.threadlog;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.ObjLongConsumer;

/**
 * One thread's entries (a key and a number) that its {@link ThreadLogs} has not drained yet: a bounded
 * ring with one producer, the thread that owns it, and one consumer at a time, the drain.
 *
 * <p><b>Memory ordering.</b> {@code written} and {@code read} count appended and consumed entries since
 * the log was made; entry {@code n} lives at {@code n & mask}. Only the owner writes {@code written}, and
 * only the consumer writes {@code read}. The owner fills an entry with plain stores and then publishes
 * it with a release store of {@code written}; the consumer reads {@code written} with an acquire load,
 * so it sees every entry below that count as written (keys are strings, whose fields are final).
 * The consumer reads its entries and then gives their slots back with a release store of
 * {@code read}; the owner reads {@code read} with an acquire load before it reuses a slot, so the
 * consumer's reads of that slot happen before the owner's new stores: an entry is never overwritten
 * while it is being drained. The owner rereads {@code read} only when its last copy says the ring is
 * full. Consumers take turns under the {@link ThreadLogs}' lock, which orders each one's plain read of
 * {@code read} after the previous one's store. On x86 every one of these accesses is a plain move.
 */
final class ThreadLog {

    private static final VarHandle WRITTEN;
    private static final VarHandle READ;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WRITTEN = lookup.findVarHandle(ThreadLog.class, "written", long.class);
            READ = lookup.findVarHandle(ThreadLog.class, "read", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread owner;
    private final String[] keys;
    private final long[] values;
    private final int mask;
    /** Entries appended; written by the owner only (release), read by the consumer (acquire). */
    private long written;
    /** Entries consumed; written by the consumer only (release), read by the owner (acquire). */
    private long read;
    /** The owner's last copy of {@link #read}: at most the true value, so the ring never overfills. */
    private long readSeen;

    /** @param capacity entries the ring holds: a power of two (checked by {@link ThreadLogs}) */
    ThreadLog(Thread owner, int capacity) {
        this.owner = owner;
        this.keys = new String[capacity];
        this.values = new long[capacity];
        this.mask = capacity - 1;
    }

    /** Appends an entry; false when the ring is full. Owner only. */
    boolean offer(String key, long value) {
        long w = written; // only this thread writes it
        if (w - readSeen == keys.length) {
            readSeen = (long) READ.getAcquire(this);
            if (w - readSeen == keys.length) {
                return false;
            }
        }
        int slot = (int) w & mask;
        keys[slot] = key;
        values[slot] = value;
        WRITTEN.setRelease(this, w + 1);
        return true;
    }

    /** Hands every published entry to {@code sink}, oldest first; returns how many. One consumer at a time. */
    int drainTo(ObjLongConsumer<String> sink) {
        long w = (long) WRITTEN.getAcquire(this);
        long r = read;
        for (long n = r; n < w; n++) {
            int slot = (int) n & mask;
            sink.accept(keys[slot], values[slot]);
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
