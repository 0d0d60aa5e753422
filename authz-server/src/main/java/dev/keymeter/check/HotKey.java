package dev.keymeter.check;

import dev.keymeter.replica.EntryMemo;
import dev.keymeter.replica.ReplicaEntry;

/**
 * What Check keeps in a hot key's {@link EntryMemo}, so that the next request with that key, on any
 * thread, touches as little memory as possible: the allowed response built for it, with its wire
 * bytes (no ~1 KB of protobuf to build and encode again), and the last-used time
 * {@link LastUsedTracker} holds for it (the tracker is not called while that time is less than one
 * resolution old, and then only logs the use for a background merge). With a million keys a
 * request's cost is mostly cache misses, and the memo lives in the same object as the cached entry,
 * so neither costs one.
 *
 * <p>The memo is retired with the cached entry it belongs to, on any change to the replica, so the
 * response can never outlive the key's identity fields it was built from. What else the response
 * depends on, the settings and which token headers the request sent, is its memo context
 * ({@link CompiledSettings#memoContext}): a response is reused only for the same context. The first
 * context to claim a memo keeps it; a request with another one (a client sending the key in another
 * header) builds its own response, correct and slower. New settings drop every cached copy
 * ({@link Authorizer#update}), so they do not leave hot keys on that slower path.
 *
 * <p>The memo's time is the time the tracker returned for the key's last use handed to it (one it
 * holds, or has logged and will hold after its next merge), or 0: written by any thread that handed
 * the key's use to the tracker, read by every request. Racing writers may store their times in either
 * order; a lower value than the latest only makes a later request call the tracker once more, which is
 * always correct. It is never higher than a time the tracker will report ({@link #recordUse}).
 */
final class HotKey {

    private HotKey() {
    }

    /**
     * Notes in {@code tracker} that {@code key} was used at {@code nowMillis}, unless the tracker
     * already holds a time for it less than one resolution older (the tracker would not rewrite it
     * anyway).
     */
    static void recordUse(ReplicaEntry key, LastUsedTracker tracker, long nowMillis) {
        EntryMemo memo = key.memo;
        if (memo != null && nowMillis - memo.noted() < tracker.resolutionMillis()) {
            return;
        }
        long stored = tracker.record(key.keyId, nowMillis);
        if (memo != null) {
            memo.note(stored);
        }
    }

    /**
     * The reply the cache hinted for {@code key} ({@link ReplicaEntry#memoHint}), typed, or null. Called
     * right after the lookup: the type test reads the reply's header, so its load from memory starts
     * then, beside the cached entry's own, instead of after the route and permission steps.
     */
    static CheckReply hinted(ReplicaEntry key) {
        return key.memoHint instanceof CheckReply reply ? reply : null;
    }

    /**
     * The remembered allowed response, if it was built under {@code settings} for the same token headers.
     * {@code hinted} (from {@link #hinted}) is returned only when it is that very response.
     */
    static CheckReply allowed(ReplicaEntry key, CompiledSettings settings, int tokenHeadersSent, CheckReply hinted) {
        Object context = settings.memoContext(tokenHeadersSent);
        if (key.memo == null || context == null) {
            return null;
        }
        Object remembered = key.memo.valueFor(context);
        return remembered == hinted ? hinted : (CheckReply) remembered;
    }

    /** Remembers {@code reply} as the key's allowed response, if its memo has none yet. */
    static void rememberAllowed(ReplicaEntry key, CompiledSettings settings, int tokenHeadersSent,
            CheckReply reply) {
        Object context = settings.memoContext(tokenHeadersSent);
        if (key.memo != null && context != null) {
            key.memo.claim(context, reply);
        }
    }
}
