package dev.keymeter.replication;

import com.google.protobuf.Timestamp;
import dev.keymeter.proto.replication.v1.Heartbeat;
import dev.keymeter.proto.replication.v1.WatchEvent;
import dev.keymeter.store.KeyStore;
import dev.keymeter.store.StoreReader;
import dev.keymeter.store.StoreUnavailableException;
import io.grpc.Status;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The work of one Watch call: bring the sidecar from its applied revision to the store's current one
 * (a snapshot first when the change log cannot), then again whenever a commit rings; after
 * {@code heartbeatInterval} without sending anything, look at the store anyway and send a heartbeat
 * if nothing changed.
 *
 * <p>A stream owns no thread. Each wake-up (a commit, the transport ready again, the sidecar gone,
 * the {@link WatchService}'s tick) schedules one {@link #step} on the shared pool; at most one step
 * of a stream runs at a time, and a wake-up during a step makes it run once more, so none is lost.
 * A step reads one batch of changes in a short transaction ({@link ChangeBatch}), closes it, and
 * sends while gRPC flow control lets it; when the sidecar is not ready the step returns and the
 * events wait here (one batch at most) until the onReady handler wakes the stream. A sidecar that
 * takes nothing for the send timeout has its stream cancelled.
 *
 * <p>A snapshot ({@link SnapshotSender}) is one detached transaction ({@link KeyStore#readDetached})
 * on a thread of the snapshot pool, blocking on flow control for at most the send timeout per wait:
 * a sidecar that stops reading ends the stream, the read rolls back and SQLite's WAL can be reset.
 */
final class WatchStream {

    private static final Logger LOG = System.getLogger("keymeter.replication");
    private final KeyStore store;
    private final RevisionNotifier notifier;
    private final Clock clock;
    private final long heartbeatNanos;
    private final WatchCall call;
    private final String sidecar;
    private final Executor steps;
    private final Executor snapshots;
    private final Runnable onEnd;
    private final Runnable wakeUp = this::schedule;
    private final AtomicInteger wip = new AtomicInteger();
    private final ArrayDeque<WatchEvent> pending = new ArrayDeque<>();
    private final long cursorStoreId;
    private long cursor;
    private long storeId;
    private long lastSentNanos;
    /** Since when events wait for a sidecar that is not ready; 0 while none wait. */
    private long waitingSinceNanos;
    private boolean started;
    private boolean catchingUp = true;
    private boolean sentInRound;
    private boolean heartbeatAfterRound = true; // up to date at start: say so at once
    private volatile boolean snapshotting;
    private volatile RuntimeException snapshotFailure;
    private boolean ended;

    /**
     * @param appliedRevision the sidecar's cursor
     * @param cursorStoreId   the store the cursor belongs to (0: unknown, trusted); another store's
     *                        cursor is served a snapshot, since revisions of two stores do not compare
     * @param onEnd           runs once when the stream has ended
     */
    WatchStream(KeyStore store, RevisionNotifier notifier, Clock clock, long heartbeatNanos, WatchCall call,
            long appliedRevision, long cursorStoreId, String sidecar, Executor steps, Executor snapshots,
            Runnable onEnd) {
        this.store = store;
        this.notifier = notifier;
        this.clock = clock;
        this.heartbeatNanos = heartbeatNanos;
        this.call = call;
        this.cursor = appliedRevision;
        this.cursorStoreId = cursorStoreId;
        this.sidecar = sidecar;
        this.steps = steps;
        this.snapshots = snapshots;
        this.onEnd = onEnd;
    }

    /** Starts serving: the first step runs on the pool. */
    void start() {
        call.onWakeUp(wakeUp);
        notifier.subscribe(wakeUp); // before the first read: a commit during it rings, so none is missed
        schedule();
    }

    /** Runs a step on the pool, or once more after the one running now. Never blocks; any thread. */
    void schedule() {
        if (wip.getAndIncrement() == 0) {
            try {
                steps.execute(this::drain);
            } catch (RejectedExecutionException stopping) {
                // the control plane has stopped its pools: every stream has ended already
            }
        }
    }

    private void drain() {
        int missed = 1;
        do {
            step();
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void step() {
        if (ended || snapshotting) {
            return; // a snapshot wakes the stream when it is done
        }
        try {
            call.requireOpen();
            if (snapshotFailure != null) {
                throw snapshotFailure;
            }
            if (!started) {
                LOG.log(Level.INFO, "replication watch opened sidecar={0} applied_revision={1}", sidecar,
                        Long.toString(cursor));
                checkStore();
                started = true;
            }
            while (flush() && next()) {
                // each round sends what the last one read
            }
        } catch (WatchCall.Ended e) {
            end(Level.INFO, "closed", e.getMessage(), Status.UNAVAILABLE.withDescription(e.getMessage()));
        } catch (WatchCall.TooSlow slow) { // it may reconnect and resume from its cursor
            end(Level.WARNING, "cancelled", slow.getMessage(),
                    Status.UNAVAILABLE.withDescription(slow.getMessage() + "; reconnect and read faster"));
        } catch (StoreUnavailableException e) { // the database is down: the sidecar retries, here or elsewhere
            end(Level.WARNING, "closed", e.getMessage(),
                    Status.UNAVAILABLE.withDescription("the key store is unreachable; retry later"));
        } catch (RuntimeException e) {
            end(Level.ERROR, "failed", e.toString(),
                    Status.INTERNAL.withDescription("replication failed; see the control plane's log"));
        }
    }

    /** Sends what waits while the sidecar takes it; false when some must wait for the transport. */
    private boolean flush() {
        while (!pending.isEmpty()) {
            if (!call.ready()) {
                long now = System.nanoTime();
                if (waitingSinceNanos == 0) {
                    waitingSinceNanos = now;
                } else if (now - waitingSinceNanos >= call.sendTimeoutNanos()) {
                    throw call.tooSlow();
                }
                return false;
            }
            call.send(pending.poll());
            lastSentNanos = System.nanoTime();
            waitingSinceNanos = 0;
        }
        return true;
    }

    /** Reads what comes next into {@link #pending}; false when there is nothing to do until a wake-up. */
    private boolean next() {
        if (!catchingUp) {
            boolean heartbeatDue = System.nanoTime() - lastSentNanos >= heartbeatNanos;
            if (!heartbeatDue && notifier.latest() <= cursor) {
                return false;
            }
            catchingUp = true;
            sentInRound = false;
            heartbeatAfterRound = heartbeatDue;
        }
        long from = cursor;
        ChangeBatch batch = store.read(r -> ChangeBatch.read(r, from, clock.instant()));
        if (batch.needsSnapshot()) {
            startSnapshot();
            return false;
        }
        pending.addAll(batch.events());
        sentInRound |= !batch.events().isEmpty();
        cursor = batch.through();
        if (batch.complete()) {
            catchingUp = false;
            if (!sentInRound && heartbeatAfterRound) {
                pending.add(heartbeat());
            }
        }
        return true;
    }

    /** Hands the snapshot to a thread of the snapshot pool; the stream wakes when it is done. */
    private void startSnapshot() {
        snapshotting = true;
        snapshots.execute(() -> {
            try {
                cursor = store.readDetached(new SnapshotSender(call, clock, sidecar, storeId, cursor)::send);
                sentInRound = true;
                lastSentNanos = System.nanoTime();
            } catch (RuntimeException e) {
                snapshotFailure = e;
            } finally {
                snapshotting = false; // publishes the cursor to the next step
                schedule();
            }
        });
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

    private WatchEvent heartbeat() {
        Instant now = clock.instant();
        return WatchEvent.newBuilder().setHeartbeat(Heartbeat.newBuilder().setRevision(cursor).setStoreId(storeId)
                .setTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))).build();
    }

    private void end(Level level, String how, String why, Status status) {
        ended = true;
        pending.clear();
        notifier.unsubscribe(wakeUp);
        LOG.log(level, "replication watch {0} sidecar={1} revision={2}: {3}", how, sidecar, Long.toString(cursor), why);
        try {
            call.fail(status);
        } finally {
            onEnd.run();
        }
    }
}
