package dev.keymeter.check;

import dev.keymeter.replica.EntryMemo;
import dev.keymeter.replica.ReplicaEntry;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;

/**
 * What Check remembers in a hot key's {@link EntryMemo}, so that the next request with that key, on
 * any thread, touches as little memory as possible: the allowed response built for it (no ~1 KB of
 * protobuf to build again) and the last-used time {@link LastUsedTracker} holds for it (no map lookup
 * while that time is less than one resolution old). With a million keys a request's cost is mostly
 * cache misses, and each object it does not touch is one fewer.
 *
 * <p>The memo is retired with the cached entry it belongs to, on any change to the replica, so the
 * response can never outlive the key's identity fields it was built from. What else the response
 * depends on is kept here and compared: the settings snapshot, and which token headers the request
 * sent. Those three fields are final; a new response stores a new instance, which the memo's volatile
 * store publishes.
 *
 * <p>{@code notedAt} is the one mutable field: a volatile long, written by any thread that handed the
 * key's use to the tracker, read by every request. Racing writers may store their times in either
 * order; a lower value than the latest only makes a later request call the tracker once more, which
 * is always correct. It is never higher than a time the tracker stores ({@link #recordUse}).
 */
final class HotKey {

    private final CompiledSettings settings;
    private final int tokenHeadersSent;
    /** The allowed response, or null when none was built yet. */
    private final CheckResponse allowed;
    /** A time the tracker holds for this key (epoch millis), or 0. */
    private volatile long notedAt;

    private HotKey(CompiledSettings settings, int tokenHeadersSent, CheckResponse allowed, long notedAt) {
        this.settings = settings;
        this.tokenHeadersSent = tokenHeadersSent;
        this.allowed = allowed;
        this.notedAt = notedAt;
    }

    /**
     * Notes in {@code tracker} that {@code key} was used at {@code nowMillis}, unless the tracker
     * already holds a time for it less than one resolution older (the tracker would not rewrite it
     * anyway). Returns what the key's memo holds (null when the entry is not cached).
     */
    static HotKey recordUse(ReplicaEntry key, LastUsedTracker tracker, long nowMillis) {
        EntryMemo memo = key.memo;
        HotKey hot = memo != null && memo.get() instanceof HotKey h ? h : null;
        if (hot != null && nowMillis - hot.notedAt < tracker.resolutionMillis()) {
            return hot;
        }
        long stored = tracker.record(key.keyId, nowMillis);
        if (memo == null) {
            return null;
        }
        if (hot == null) {
            hot = new HotKey(null, 0, null, stored);
            memo.set(hot);
        } else {
            hot.notedAt = stored;
        }
        return hot;
    }

    /** The remembered allowed response, if it was built under {@code settings} for the same token headers. */
    static CheckResponse allowed(HotKey hot, CompiledSettings settings, int tokenHeadersSent) {
        return hot != null && hot.allowed != null && hot.settings == settings
                && hot.tokenHeadersSent == tokenHeadersSent ? hot.allowed : null;
    }

    /** Remembers {@code response} as the key's allowed response (no-op when the entry is not cached). */
    static void rememberAllowed(ReplicaEntry key, HotKey hot, CompiledSettings settings, int tokenHeadersSent,
            CheckResponse response) {
        if (key.memo != null) {
            key.memo.set(new HotKey(settings, tokenHeadersSent, response, hot == null ? 0 : hot.notedAt));
        }
    }
}
