package dev.keymeter.replica;

/**
 * A place, shared by every lookup that is served the same cached copy of an entry, where a reader
 * keeps something it derived from that copy: Check keeps the allowed response it built for the key,
 * so that the next request with that key, on any thread, reuses it instead of building it again.
 *
 * <p>Only {@link CachingKeyReplica} hands out memos, one per cached copy (its slot extends this
 * class, so a memo costs no object of its own); a lookup served from the store itself leaves {@link
 * ReplicaEntry#memo} null. A memo lives exactly as long as its copy: any write to the replica retires
 * every cached copy (and with it every memo), so a value derived from an entry can never outlive that
 * entry. What the memo cannot know is whether the value also depends on
 * something else (Check's settings, the request's headers): the reader stores that alongside and
 * compares it.
 *
 * <p><b>Memory ordering.</b> {@code value} is volatile: the thread that builds a value publishes it with
 * a volatile write after building it, and a thread that reads it with a volatile read sees it fully
 * built (happens-before through the volatile pair), whatever the value's own fields are. Two threads
 * deriving at once both store; the last store wins, and since both derived from the same copy either
 * value is right. On x86 the read is a plain load.
 */
public class EntryMemo {

    private volatile Object value;

    /** What a reader stored last, or null. */
    public Object get() {
        return value;
    }

    /** Replaces what is stored; {@code value} must not change after this call. */
    public void set(Object value) {
        this.value = value;
    }
}
