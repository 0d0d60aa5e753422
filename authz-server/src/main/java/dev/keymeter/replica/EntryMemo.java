package dev.keymeter.replica;

/**
 * Where a reader keeps what it derived from one cached copy of an entry, shared by every lookup that is
 * served that copy: Check keeps the allowed response it built for the key and the last-use time it
 * handed to its tracker, so that the next request with that key, on any thread, neither builds the
 * response again nor touches the tracker.
 *
 * <p>Only {@link CachingKeyReplica} hands out memos, one per cached copy (the cache's slot is the copy
 * and its memo in one object, so that a hot key's request reads one object, not three); a lookup served
 * from the store itself leaves {@link ReplicaEntry#memo} null. A memo lives exactly as long as its copy:
 * any write to the replica retires every cached copy (and with it every memo), so a value derived from
 * an entry can never outlive that entry.
 *
 * <p>A memo holds two things. A <b>value</b>, stored once, under a <b>context</b>: what the value also
 * depends on besides the entry (for Check, the settings and which token headers the request sent),
 * as an object compared by identity. The first {@link #claim} wins; a reader with another context
 * gets nothing and derives its own value each time, until the copy is replaced. And a <b>time</b>, free
 * for the reader to write at will.
 *
 * <p><b>Memory ordering</b> (implementations must keep it): the context is set once, by a
 * compare-and-set from null, and only the thread that set it then writes the value, with a volatile
 * write, after building it. A reader that sees a non-null value with a volatile read therefore sees
 * it fully built (happens-before through the volatile pair), and the context it reads, never written
 * again after the compare-and-set, is the one the value was built for. The time is a volatile long:
 * never torn, and racing writers may store their times in either order.
 */
public interface EntryMemo {

    /** The value claimed under {@code context} (by identity), or null: none yet, or another context's. */
    Object valueFor(Object context);

    /**
     * Stores {@code value} under {@code context} if no value was claimed in this memo yet; true if stored.
     * {@code value} must not change after this call.
     */
    boolean claim(Object context, Object value);

    /** The time last written by {@link #note}, or 0. */
    long noted();

    /** Replaces the time. */
    void note(long time);
}
