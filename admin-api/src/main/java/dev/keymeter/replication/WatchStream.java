package dev.keymeter.replication;

import com.google.protobuf.Timestamp;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.proto.replication.v1.Heartbeat;
import dev.keymeter.proto.replication.v1.SnapshotBegin;
import dev.keymeter.proto.replication.v1.SnapshotEnd;
import dev.keymeter.proto.replication.v1.WatchEvent;
import dev.keymeter.store.KeyStore;
import dev.keymeter.store.StoreReader;
import dev.keymeter.store.StoreUnavailableException;
import io.grpc.Status;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The work of one Watch call, on a thread of its own: bring the sidecar from its applied revision
 * to the store's current one (a snapshot first when the change log cannot), then park until a
 * commit rings and do it again; after {@code heartbeatInterval} without sending anything, look at
 * the store anyway and send a heartbeat if nothing changed.
 *
 * <p>Nothing here holds a lock of the store while it waits for the sidecar: changes are read in
 * short transactions ({@link ChangeBatch}) and sent after the transaction ends; a snapshot is one
 * detached transaction ({@link KeyStore#readDetached}) that sends page by page, blocking on flow
 * control, so a million keys never sit in memory and the snapshot is one consistent revision.
 * That read is the one the stream may hold while it waits for the sidecar (the protocol announces the
 * snapshot's record count and revision up front, which only one transaction can keep); a sidecar
 * that takes nothing for {@code --watch-send-timeout} ends the stream ({@link WatchCall.TooSlow}),
 * the read rolls back and SQLite's WAL can be reset again.
 */
final class WatchStream implements Runnable {

    private static final Logger LOG = System.getLogger("keymeter.replication");
    /** Keys read per query of a snapshot. */
    static final int SNAPSHOT_PAGE = 500;

    private final KeyStore store;
    private final RevisionNotifier notifier;
    private final Clock clock;
    private final long heartbeatNanos;
    private final WatchCall call;
    private final String sidecar;
    private long cursor;
    private final long cursorStoreId;
    /** This store's id, read when the stream starts. */
    private long storeId;
    private long lastSentNanos;

    /**
     * @param appliedRevision the sidecar's cursor
     * @param cursorStoreId   the store the cursor belongs to (0: unknown, trusted); another store's
     *                        cursor is served a snapshot, since revisions of two stores do not compare
     */
    WatchStream(KeyStore store, RevisionNotifier notifier, Clock clock, long heartbeatNanos, WatchCall call,
            long appliedRevision, long cursorStoreId, String sidecar) {
        this.store = store;
        this.notifier = notifier;
        this.clock = clock;
        this.heartbeatNanos = heartbeatNanos;
        this.call = call;
        this.cursor = appliedRevision;
        this.cursorStoreId = cursorStoreId;
        this.sidecar = sidecar;
    }

    /** Reads this store's id; a cursor of another store starts over from a snapshot. */
    private void checkStore() {
        storeId = store.read(StoreReader::storeId);
        if (cursorStoreId != 0 && cursorStoreId != storeId && cursor != 0) {
            LOG.log(Level.INFO, "replication watch sidecar={0}: its revision {1} belongs to store {2}, this is store"
                    + " {3}: sending a snapshot", sidecar, Long.toString(cursor), Long.toString(cursorStoreId),
                    Long.toString(storeId));
            cursor = 0;
        }
    }

    @Override
    public void run() {
        Runnable wakeUp = call::ring;
        notifier.subscribe(wakeUp); // before the first read: a commit during it rings, so none is missed
        LOG.log(Level.INFO, "replication watch opened sidecar={0} applied_revision={1}", sidecar, Long.toString(cursor));
        try {
            checkStore();
            if (!catchUp()) {
                heartbeat(); // up to date already: say so at once, so the sidecar knows it is connected
            }
            while (true) {
                long quiet = heartbeatNanos - (System.nanoTime() - lastSentNanos);
                if (quiet <= 0) {
                    if (!catchUp()) {
                        heartbeat();
                    }
                } else if (call.awaitRing(quiet) && notifier.latest() > cursor) {
                    catchUp();
                }
            }
        } catch (WatchCall.Ended ended) {
            LOG.log(Level.INFO, "replication watch closed sidecar={0} revision={1}: {2}", sidecar,
                    Long.toString(cursor), ended.getMessage());
            call.fail(Status.UNAVAILABLE.withDescription(ended.getMessage()));
        } catch (WatchCall.TooSlow slow) { // its snapshot read or batch is dropped; it may reconnect and resume
            LOG.log(Level.WARNING, "replication watch cancelled sidecar={0} revision={1}: {2}", sidecar,
                    Long.toString(cursor), slow.getMessage());
            call.fail(Status.UNAVAILABLE.withDescription(slow.getMessage() + "; reconnect and read faster"));
        } catch (StoreUnavailableException e) { // the database is down: the sidecar retries, here or elsewhere
            LOG.log(Level.WARNING, "replication watch closed sidecar={0} revision={1}: {2}", sidecar,
                    Long.toString(cursor), e.getMessage());
            call.fail(Status.UNAVAILABLE.withDescription("the key store is unreachable; retry later"));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "replication watch failed sidecar={0} revision={1}: {2}", sidecar,
                    Long.toString(cursor), e.toString());
            call.fail(Status.INTERNAL.withDescription("replication failed; see the control plane's log"));
        } finally {
            notifier.unsubscribe(wakeUp);
        }
    }

    /** Sends whatever brings the sidecar to the current revision; true when it sent anything. */
    private boolean catchUp() {
        boolean sentAny = false;
        while (true) {
            long from = cursor;
            ChangeBatch batch = store.read(r -> ChangeBatch.read(r, from, clock.instant()));
            if (batch.needsSnapshot()) {
                cursor = store.readDetached(this::snapshot);
                sentAny = true;
                continue;
            }
            for (WatchEvent event : batch.events()) {
                send(event);
            }
            sentAny |= !batch.events().isEmpty();
            cursor = batch.through();
            if (batch.complete()) {
                return sentAny;
            }
        }
    }

    /** Sends every key as of one transaction; returns the revision the snapshot describes. */
    private long snapshot(StoreReader reader) {
        long revision = reader.currentRevision();
        long count = reader.keyCount();
        LOG.log(Level.INFO, "replication snapshot sidecar={0} revision={1} keys={2} (applied_revision was {3})",
                sidecar, Long.toString(revision), Long.toString(count), Long.toString(cursor));
        send(WatchEvent.newBuilder().setSnapshotBegin(
                SnapshotBegin.newBuilder().setRevision(revision).setRecordCount(count).setStoreId(storeId)).build());
        Instant now = clock.instant();
        String after = "";
        List<ApiKey> page;
        do {
            page = reader.keysAfter(after, SNAPSHOT_PAGE);
            for (ApiKey key : page) {
                if (!KeyRecords.replicated(key)) {
                    continue; // counted out of keyCount() too
                }
                send(WatchEvent.newBuilder().setSnapshotRecord(KeyRecords.of(key, now)).build());
            }
            after = page.isEmpty() ? after : page.get(page.size() - 1).id();
        } while (page.size() == SNAPSHOT_PAGE);
        send(WatchEvent.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder().setRevision(revision)).build());
        return revision;
    }

    private void heartbeat() {
        Instant now = clock.instant();
        send(WatchEvent.newBuilder().setHeartbeat(Heartbeat.newBuilder().setRevision(cursor).setStoreId(storeId)
                .setTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))).build());
    }

    private void send(WatchEvent event) {
        call.send(event);
        lastSentNanos = System.nanoTime();
    }
}
