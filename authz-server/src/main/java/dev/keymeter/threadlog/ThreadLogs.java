package dev.keymeter.threadlog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ObjLongConsumer;

/**
 * Entries that Check threads hand to work done later on another thread: each thread appends to a ring
 * of its own ({@link ThreadLog}), and one thread at a time drains them all.
 *
 * <p>Why: what Check notes per key (its last use, its request count) lives in maps keyed by key id.
 * With a million keys, most requests are for a key whose map entry is not in the CPU's caches, so
 * noting it on the Check thread is a chain of cache misses (the id's string, the bucket, the node, the
 * counter) paid by the request. Appending here writes the next slot of two arrays the thread wrote a
 * moment ago; the drain does the lookups, on the sidecar's background thread.
 *
 * <p>{@link #offer} fails when the caller's ring is full (nothing drained it for a while): the caller
 * then does the work itself, slower and never lost. A thread's ring is made at its first offer and
 * dropped by the drain after the thread ended, once empty.
 *
 * <p>Thread-safety: {@link #offer} from any thread, lock-free (each thread appends to its own ring);
 * {@link #drainTo} from any thread, one at a time (it takes this object's lock, which offer never
 * takes).
 */
public final class ThreadLogs {

    private final List<ThreadLog> logs = new CopyOnWriteArrayList<>();
    private final ThreadLocal<ThreadLog> own;

    /** @param capacity entries each thread's ring holds before {@link #offer} fails: a power of two */
    public ThreadLogs(int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two of at least 1, was " + capacity);
        }
        this.own = ThreadLocal.withInitial(() -> {
            ThreadLog log = new ThreadLog(Thread.currentThread(), capacity);
            logs.add(log);
            return log;
        });
    }

    /** Appends {@code (key, value)} to the calling thread's ring; false when it is full. */
    public boolean offer(String key, long value) {
        return own.get().offer(key, value);
    }

    /**
     * Hands every entry appended so far to {@code sink}, each thread's in the order it appended them;
     * returns how many. Rings of threads that have ended are emptied and dropped.
     */
    public synchronized int drainTo(ObjLongConsumer<String> sink) {
        int drained = 0;
        for (ThreadLog log : logs) {
            boolean gone = log.ownerGone(); // before the drain: see ThreadLog#ownerGone
            drained += log.drainTo(sink);
            if (gone) {
                logs.remove(log);
            }
        }
        return drained;
    }

    /** Threads with a ring (tests). */
    public int threads() {
        return logs.size();
    }
}
