package dev.keymeter.replica;

import dev.keymeter.proto.replication.v1.ReplicationServiceGrpc;
import dev.keymeter.proto.replication.v1.WatchEvent;
import dev.keymeter.proto.replication.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a {@link KeyReplica} in step with the control plane: calls {@code ReplicationService/Watch}
 * with the replica's applied revision, applies what arrives, and when the stream ends for any reason
 * calls again after a {@link ReplicationBackoff backoff} (100 ms doubling to 10 s, with jitter), for
 * as long as it is open. After a control-plane restart it catches up from the replica's applied
 * revision; after a sidecar restart likewise, from the revision stored in the replica, with no
 * snapshot unless the control plane can no longer serve the changes.
 *
 * <h2>Threads</h2>
 * Everything that touches the replica or the stream state runs on one thread of this client
 * ("keymeter-replication"): gRPC delivers the stream's events there (the stub's executor) and the
 * reconnects are scheduled there, so the replica has exactly one writer and that state needs no
 * lock. The getters read volatile copies and are safe from any thread (health checks, metrics).
 * gRPC asks for the next event only once the previous one is applied, so a slow replica slows the
 * stream (flow control) rather than filling memory.
 *
 * <h2>When applying fails</h2>
 * A record the replica refuses (full: it was sized for fewer digests than the control plane holds;
 * or a record it cannot hold) is dropped from the replica and the stream goes on: see
 * {@link WatchEventApplier} for why (a stopped stream would stop revocations too). The refusal is
 * logged with the key id and the replica's reason (counts and the setting to raise, never a
 * token), counted in {@link #refusedRecords()}, and the client reports {@linkplain #isHealthy()
 * unhealthy} until a snapshot applies with no refusal (in practice: a restart with more capacity,
 * which rebuilds the replica). A stream that breaks the protocol is cancelled and called again
 * after the backoff; one cut short in the middle of a snapshot asks for a whole snapshot again
 * (applied revision 0), because the replica is between two snapshot generations.
 *
 * <p>Peer liveness: a control plane that vanishes without closing the connection is noticed by the
 * channel's keepalive, which the caller configures on the {@link ManagedChannel} it passes in.
 */
public final class ReplicationClient implements AutoCloseable {

    private static final Logger LOG = System.getLogger("keymeter.replication");
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final KeyReplica replica;
    private final String sidecarId;
    private final ReplicationBackoff backoff;
    private final Clock clock;
    /** When this client was made: the replica's age counts from here until the first contact. */
    private final long createdMillis;
    private final ReplicationServiceGrpc.ReplicationServiceStub stub;
    private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, task -> {
        Thread t = new Thread(task, "keymeter-replication");
        t.setDaemon(true);
        return t;
    });

    // Confined to the client's thread.
    private WatchStreamObserver current;
    private boolean snapshotCutShort;
    private long refusedSinceSnapshot;

    // Written on the client's thread, read anywhere.
    private volatile boolean started;
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile String failure;
    private volatile long appliedRevision;
    private volatile long controlPlaneRevision;
    private volatile long lastHeartbeatRevision;
    private volatile long snapshotsApplied;
    private volatile long streamsOpened;
    private volatile long refusedRecords;
    /** When the stream was last in step with the control plane (0: not yet, by this client). */
    private volatile long lastInSyncMillis;

    /**
     * @param channel to the control plane; the caller owns it (and its keepalive settings)
     * @param sidecarKey the sidecar credential (an admin key with preset All still works, deprecated), sent as {@code authorization: Bearer}
     * @param replica written only by this client while it is open; the caller closes it after this
     * @param sidecarId names this sidecar in the control plane's logs, at most 128 characters
     */
    public ReplicationClient(ManagedChannel channel, String sidecarKey, KeyReplica replica, String sidecarId,
            ReplicationBackoff backoff) {
        this(channel, sidecarKey, replica, sidecarId, backoff, Clock.systemUTC());
    }

    /** @param clock tells the replica's {@linkplain #staleness() staleness} */
    public ReplicationClient(ManagedChannel channel, String sidecarKey, KeyReplica replica, String sidecarId,
            ReplicationBackoff backoff, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.createdMillis = clock.millis();
        this.channel = Objects.requireNonNull(channel, "channel");
        this.replica = Objects.requireNonNull(replica, "replica");
        this.sidecarId = Objects.requireNonNull(sidecarId, "sidecarId");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + Objects.requireNonNull(sidecarKey, "sidecarKey"));
        this.stub = ReplicationServiceGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withExecutor(thread);
        this.appliedRevision = replica.appliedRevision();
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // a pending reconnect dies with close
    }

    /** With the default backoff: 100 ms doubling to 10 s. */
    public ReplicationClient(ManagedChannel channel, String sidecarKey, KeyReplica replica, String sidecarId) {
        this(channel, sidecarKey, replica, sidecarId, ReplicationBackoff.defaults());
    }

    /** Opens the first Watch stream; returns at once. */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "the replication client is closed" : "already started");
        }
        started = true;
        thread.execute(this::connect);
    }

    /** True while a Watch stream is open and has delivered at least one event. */
    public boolean isConnected() {
        return connected;
    }

    /** Connected, in sync since the last stream failure, and holding every key the control plane sent. */
    public boolean isHealthy() {
        return connected && failure == null;
    }

    /** Why the client is not healthy, if it is not for a reason other than being disconnected. */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(failure);
    }

    /** The last control-plane revision the replica has fully applied. */
    public long appliedRevision() {
        return appliedRevision;
    }

    /** The revision of the last heartbeat (0 before any). */
    public long lastHeartbeatRevision() {
        return lastHeartbeatRevision;
    }

    /** How many revisions the replica is behind the newest revision the control plane has reported. */
    public long lag() {
        return Math.max(0, controlPlaneRevision - appliedRevision);
    }

    /**
     * How old the replica is: the time since the stream was last in step with the control plane (a
     * heartbeat, a change or a completed snapshot), or since this client was made when it has not been
     * yet. Grows while the control plane is away; never negative.
     */
    public Duration staleness() {
        long since = lastInSyncMillis == 0 ? createdMillis : lastInSyncMillis;
        return Duration.ofMillis(Math.max(0, clock.millis() - since));
    }

    /** Snapshots completed by this client instance. */
    public long snapshotsApplied() {
        return snapshotsApplied;
    }

    /** Watch calls started by this client instance (the first one and every reconnect). */
    public long streamsOpened() {
        return streamsOpened;
    }

    /** Records the replica refused (their keys were dropped) since this client started. */
    public long refusedRecords() {
        return refusedRecords;
    }

    /**
     * Cancels the stream and stops the client's thread once gRPC has reported the cancelled stream
     * ended (so that no callback finds the thread gone); the channel and the replica stay open.
     * Waits up to 10 s. Must not be called from the client's thread.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        thread.execute(() -> {
            connected = false;
            if (current != null) {
                current.cancel("the replication client is closing"); // ended() stops the thread
            } else {
                thread.shutdown();
            }
        });
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "replication: the client thread did not stop within 10 s");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        if (streamsOpened > 0) {
            // The channel has its own, slower reconnect backoff (up to 2 minutes); ours paces the calls.
            channel.resetConnectBackoff();
        }
        current = new WatchStreamObserver(new WatchEventApplier(replica, this::refused), this::applied, this::ended);
        streamsOpened++;
        long from = snapshotCutShort ? 0 : replica.appliedRevision();
        stub.watch(WatchRequest.newBuilder().setAppliedRevision(from).setStoreId(replica.storeId())
                .setSidecarId(sidecarId).build(), current);
    }

    /** The stream ended (error, completion, or cancelled by us): call again after the backoff. */
    private void ended(WatchStreamObserver stream, Status status) {
        if (stream != current) {
            return;
        }
        current = null;
        connected = false;
        snapshotCutShort |= stream.applier().inSnapshot();
        if (closed) {
            thread.shutdown();
            return;
        }
        Duration delay = backoff.next();
        String why = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
        if (refusedSinceSnapshot == 0) { // else keep saying that keys are missing: that outlives the stream
            failure = "the Watch stream ended: " + why;
        }
        LOG.log(Level.WARNING, "replication: the Watch stream ended ({0}) at revision {1}; calling again in {2} ms",
                why, Long.toString(appliedRevision), Long.toString(delay.toMillis()));
        thread.schedule(this::connect, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void applied(WatchEventApplier.Applied what, WatchEvent event) {
        connected = true;
        appliedRevision = replica.appliedRevision();
        switch (what) {
            case SNAPSHOT_STARTED -> {
                refusedSinceSnapshot = 0;
                controlPlaneRevision = event.getSnapshotBegin().getRevision();
                LOG.log(Level.INFO, "replication: snapshot at revision {0} with {1} keys started",
                        Long.toString(controlPlaneRevision), Long.toString(event.getSnapshotBegin().getRecordCount()));
            }
            case SNAPSHOT_ENDED -> {
                snapshotsApplied++;
                snapshotCutShort = false;
                inSync();
                LOG.log(Level.INFO, "replication: snapshot at revision {0} applied: {1} keys, {2} digests",
                        Long.toString(appliedRevision), Long.toString(replica.keyCount()),
                        Long.toString(replica.digestCount()));
            }
            case CHANGE -> {
                controlPlaneRevision = Math.max(controlPlaneRevision, event.getChange().getRevision());
                inSync();
            }
            case HEARTBEAT -> {
                lastHeartbeatRevision = event.getHeartbeat().getRevision();
                controlPlaneRevision = Math.max(controlPlaneRevision, lastHeartbeatRevision);
                if (!current.applier().inSnapshot()) {
                    inSync();
                }
            }
            case SNAPSHOT_RECORD, IGNORED -> {
                // Nothing to record.
            }
        }
    }

    /** The stream is in step with the control plane: reset the backoff; healthy unless keys are missing. */
    private void inSync() {
        lastInSyncMillis = Math.max(1, clock.millis());
        backoff.reset();
        if (refusedSinceSnapshot == 0) {
            failure = null;
        }
    }

    private void refused(String keyId, RuntimeException why) {
        refusedSinceSnapshot++;
        refusedRecords++;
        failure = "the replica refused key " + keyId + " (its tokens are refused until it is replicated): "
                + why.getMessage();
        LOG.log(Level.ERROR, "replication: the replica refused key {0}; dropped it so its tokens are refused, "
                + "and went on with the stream: {1}", keyId, why.getMessage());
    }
}
