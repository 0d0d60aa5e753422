package dev.keymeter.replication;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.proto.replication.v1.SnapshotBegin;
import dev.keymeter.proto.replication.v1.SnapshotEnd;
import dev.keymeter.proto.replication.v1.WatchEvent;
import dev.keymeter.store.StoreReader;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Sends one snapshot of every replicated key as of one read transaction: begin (revision and record
 * count), the records page by page, end. The protocol announces the count first, which only one
 * consistent read can keep, so the read stays open while the records go out; each send waits for
 * the sidecar at most the send timeout ({@link WatchCall#sendBlocking}), which bounds how long a
 * sidecar that stopped reading can keep the read (and SQLite's WAL) pinned.
 */
final class SnapshotSender {

    private static final Logger LOG = System.getLogger("keymeter.replication");
    /** Keys read per query of a snapshot. */
    static final int PAGE = 500;

    private final WatchCall call;
    private final Clock clock;
    private final String sidecar;
    private final long storeId;
    private final long appliedRevision;

    SnapshotSender(WatchCall call, Clock clock, String sidecar, long storeId, long appliedRevision) {
        this.call = call;
        this.clock = clock;
        this.sidecar = sidecar;
        this.storeId = storeId;
        this.appliedRevision = appliedRevision;
    }

    /** Sends the snapshot as {@code reader} sees the store; returns the revision it describes. */
    long send(StoreReader reader) {
        long revision = reader.currentRevision();
        long count = reader.keyCount();
        LOG.log(Level.INFO, "replication snapshot sidecar={0} revision={1} keys={2} (applied_revision was {3})",
                sidecar, Long.toString(revision), Long.toString(count), Long.toString(appliedRevision));
        call.sendBlocking(WatchEvent.newBuilder().setSnapshotBegin(
                SnapshotBegin.newBuilder().setRevision(revision).setRecordCount(count).setStoreId(storeId)).build());
        Instant now = clock.instant();
        String after = "";
        List<ApiKey> page;
        do {
            page = reader.keysAfter(after, PAGE);
            for (ApiKey key : page) {
                if (!KeyRecords.replicated(key)) {
                    continue; // counted out of keyCount() too
                }
                call.sendBlocking(WatchEvent.newBuilder().setSnapshotRecord(KeyRecords.of(key, now)).build());
            }
            after = page.isEmpty() ? after : page.get(page.size() - 1).id();
        } while (page.size() == PAGE);
        call.sendBlocking(WatchEvent.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder().setRevision(revision)).build());
        return revision;
    }
}
