package dev.keymeter.replication;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.proto.replication.v1.Change;
import dev.keymeter.proto.replication.v1.WatchEvent;
import dev.keymeter.store.KeyChange;
import dev.keymeter.store.StoreReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one short read transaction says a stream at {@code cursor} should send next: either "you
 * need a snapshot", or up to {@link #MAX_CHANGES} changes as events and the revision they bring the
 * sidecar to.
 *
 * <p>Each change is sent as the key's state in this transaction, not its state at the change's
 * revision (the store keeps only the current state): a sidecar may briefly be ahead of the revision
 * it has applied, never behind it, so a revocation is never delayed. A key that changed several
 * times in the batch is sent once, at its first change (sent at its last, it would follow changes
 * of other keys that came before that, and a sidecar cut off between the two would resume past a
 * change it never applied); a key that no longer exists is sent as a deletion whatever its change
 * said (and so is a sidecar credential, which is never replicated: a no-op for the sidecar). Every batch ends on {@code through}: when its last event is below it — the last revisions
 * touched no key (a project or membership change), or changed a key already sent at an earlier
 * revision — a {@code no_key_change} at {@code through} follows, so that the sidecar's applied
 * revision is where the stream really brought it, not a heartbeat later.
 *
 * @param needsSnapshot the change log cannot serve {@code cursor}: 0 (a new sidecar), below the
 *     compacted floor (too far behind), or above the current revision (another store's sidecar)
 * @param through the revision the sidecar is at once it applies {@code events}
 * @param complete {@code through} is the current revision of the store as this transaction saw it
 */
record ChangeBatch(boolean needsSnapshot, List<WatchEvent> events, long through, boolean complete) {

    /** Bounds the time one batch holds the store's shared read connection (one lookup per change). */
    static final int MAX_CHANGES = 256;

    static ChangeBatch read(StoreReader reader, long cursor, Instant now) {
        long current = reader.currentRevision();
        if (cursor == 0 || cursor < reader.oldestServableRevision() || cursor > current) {
            return new ChangeBatch(true, List.of(), cursor, false);
        }
        List<KeyChange> changes = reader.changesAfter(cursor, MAX_CHANGES);
        List<WatchEvent> events = new ArrayList<>(changes.size() + 1);
        Set<String> sent = new HashSet<>();
        for (KeyChange change : changes) {
            if (sent.add(change.keyId())) {
                events.add(event(change.revision(), reader.findKey(change.keyId()), change.keyId(), now));
            }
        }
        boolean complete = changes.size() < MAX_CHANGES;
        long lastChange = changes.isEmpty() ? cursor : changes.get(changes.size() - 1).revision();
        long through = complete ? current : lastChange;
        if (lastSent(events, cursor) < through) {
            events.add(WatchEvent.newBuilder().setChange(
                    Change.newBuilder().setRevision(through).setNoKeyChange(true)).build());
        }
        return new ChangeBatch(false, events, through, complete);
    }

    /** The revision the sidecar reaches by applying {@code events}, {@code cursor} when there are none. */
    private static long lastSent(List<WatchEvent> events, long cursor) {
        return events.isEmpty() ? cursor : events.get(events.size() - 1).getChange().getRevision();
    }

    private static WatchEvent event(long revision, Optional<ApiKey> key, String keyId, Instant now) {
        Change.Builder change = Change.newBuilder().setRevision(revision);
        if (key.isPresent() && KeyRecords.replicated(key.get())) {
            change.setUpsert(KeyRecords.of(key.get(), now));
        } else {
            change.setDeletedKeyId(keyId);
        }
        return WatchEvent.newBuilder().setChange(change).build();
    }
}
