package dev.keymeter.replica;

import dev.keymeter.proto.replication.v1.Change;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.WatchEvent;
import java.util.function.BiConsumer;

/**
 * Applies the events of one Watch stream to the replica, checking that the stream keeps the
 * protocol: a snapshot is begin, exactly {@code record_count} records, end at the same revision, and
 * nothing else in between. A stream that breaks it fails with {@link IllegalStateException} before
 * anything wrong is recorded as applied (in particular, an incomplete snapshot never reaches
 * {@link KeyReplica#endSnapshot}, so a replica that never loaded stays unloaded and fails closed).
 *
 * <p>The applied revision only moves up, and only to revisions whose changes are in the replica: a
 * change is applied, then marked; a heartbeat marks only between snapshots (every change up to its
 * revision came before it on the stream). Confined to the client's one thread; a new instance per
 * stream.
 *
 * <p>A record the replica refuses ({@link ReplicaFullException}, or an {@link IllegalArgumentException}
 * for a record it cannot hold exactly) does not stop the stream: the key is removed from the replica,
 * so its tokens are refused rather than served from an older state, the refusal goes to
 * {@code refused}, and the events after it apply as usual. Stopping instead would leave every later
 * change unapplied, revocations included: a full replica would keep honouring revoked keys.
 */
final class WatchEventApplier {

    private final KeyReplica replica;
    private final BiConsumer<String, RuntimeException> refused;
    private boolean inSnapshot;
    private long snapshotRevision;
    private long expectedRecords;
    private long snapshotStoreId;
    private long receivedRecords;

    /** @param refused hears the key id and the replica's reason for each record it refused */
    WatchEventApplier(KeyReplica replica, BiConsumer<String, RuntimeException> refused) {
        this.replica = replica;
        this.refused = refused;
    }

    /** The outcome of one event, for the client's state. */
    enum Applied { SNAPSHOT_STARTED, SNAPSHOT_RECORD, SNAPSHOT_ENDED, CHANGE, HEARTBEAT, IGNORED }

    /**
     * @throws IllegalStateException when the stream breaks the protocol
     */
    Applied apply(WatchEvent event) {
        return switch (event.getEventCase()) {
            case SNAPSHOT_BEGIN -> {
                require(!inSnapshot, "snapshot_begin inside a snapshot");
                inSnapshot = true;
                snapshotRevision = event.getSnapshotBegin().getRevision();
                expectedRecords = event.getSnapshotBegin().getRecordCount();
                snapshotStoreId = event.getSnapshotBegin().getStoreId();
                receivedRecords = 0;
                replica.beginSnapshot(snapshotRevision);
                yield Applied.SNAPSHOT_STARTED;
            }
            case SNAPSHOT_RECORD -> {
                require(inSnapshot, "snapshot_record outside a snapshot");
                require(receivedRecords < expectedRecords, "more snapshot records than the announced " + expectedRecords);
                upsert(event.getSnapshotRecord());
                receivedRecords++;
                yield Applied.SNAPSHOT_RECORD;
            }
            case SNAPSHOT_END -> {
                require(inSnapshot, "snapshot_end outside a snapshot");
                require(event.getSnapshotEnd().getRevision() == snapshotRevision, "snapshot_end at revision "
                        + event.getSnapshotEnd().getRevision() + " for a snapshot begun at " + snapshotRevision);
                require(receivedRecords == expectedRecords, "snapshot ended after " + receivedRecords
                        + " of " + expectedRecords + " records");
                replica.endSnapshot(snapshotRevision);
                // After the revision: a crash in between leaves the old store id, which the next Watch
                // answers with another snapshot (the safe side).
                if (snapshotStoreId != 0) {
                    replica.markStore(snapshotStoreId);
                }
                inSnapshot = false;
                yield Applied.SNAPSHOT_ENDED;
            }
            case CHANGE -> {
                require(!inSnapshot, "change inside a snapshot");
                applyChange(event.getChange());
                yield Applied.CHANGE;
            }
            case HEARTBEAT -> {
                if (!inSnapshot) {
                    markApplied(event.getHeartbeat().getRevision());
                    // A replica from before store ids learns its store here; the control plane compared
                    // nothing (the cursor carried 0) but served this store's changes since.
                    long heard = event.getHeartbeat().getStoreId();
                    if (heard != 0 && replica.storeId() == 0) {
                        replica.markStore(heard);
                    }
                }
                yield Applied.HEARTBEAT;
            }
            // An event type newer than this client: skipping it is what proto3 clients do.
            case EVENT_NOT_SET -> Applied.IGNORED;
        };
    }

    boolean inSnapshot() {
        return inSnapshot;
    }

    private void applyChange(Change change) {
        switch (change.getChangeCase()) {
            case UPSERT -> upsert(change.getUpsert());
            case DELETED_KEY_ID -> replica.delete(change.getDeletedKeyId());
            case NO_KEY_CHANGE, CHANGE_NOT_SET -> {
                // Only the revision moves.
            }
        }
        markApplied(change.getRevision());
    }

    private void upsert(KeyRecord record) {
        try {
            replica.upsert(record);
        } catch (ReplicaFullException | IllegalArgumentException refusal) {
            replica.delete(record.getKeyId());
            refused.accept(record.getKeyId(), refusal);
        }
    }

    private void markApplied(long revision) {
        if (revision > replica.appliedRevision()) {
            replica.markApplied(revision);
        }
    }

    private static void require(boolean condition, String violation) {
        if (!condition) {
            throw new IllegalStateException("the control plane broke the Watch protocol: " + violation);
        }
    }
}
