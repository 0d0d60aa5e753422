package dev.keymeter.replication;

import dev.keymeter.proto.replication.v1.ReplicationServiceGrpc;
import dev.keymeter.proto.replication.v1.WatchEvent;
import dev.keymeter.proto.replication.v1.WatchRequest;
import dev.keymeter.store.KeyStore;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ReplicationService/Watch}. Streams own no thread: their steps run on one small pool shared by
 * every stream ({@link #STEP_THREADS}), woken by commits, by the transport becoming ready, and by a
 * tick that sends heartbeats and finds sidecars that stopped reading; a snapshot, which keeps one
 * read of the store open while it sends, runs on a thread of a second pool (bounded by the cap).
 * {@code --max-watch-streams} caps the streams served at once: one more is refused
 * RESOURCE_EXHAUSTED before it costs anything. A sidecar that takes nothing for
 * {@code --watch-send-timeout} is cancelled ({@link WatchCall.TooSlow}), and any read of the store
 * its stream held is released.
 *
 * <p>{@link #close} ends every stream with UNAVAILABLE (sidecars reconnect to wherever the control
 * plane comes back) and waits for them, so that the store can close after it. The caller is
 * authenticated before the call gets here.
 */
public final class WatchService extends ReplicationServiceGrpc.ReplicationServiceImplBase implements AutoCloseable {

    private static final Logger LOG = System.getLogger("keymeter.replication");
    static final int MAX_SIDECAR_ID = 128;
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Threads that run the steps of every stream: a step reads one short batch and sends without waiting. */
    static final int STEP_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    /**
     * Snapshots read and sent at once. A snapshot of 100,000 keys takes a reading sidecar a few seconds;
     * a new sidecar beyond these waits its turn, while sidecars that already have a replica keep serving.
     */
    static final int SNAPSHOT_THREADS = 16;
    /** The tick never waits longer than this, so a send timeout is noticed within it. */
    private static final long MAX_TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final KeyStore store;
    private final RevisionNotifier notifier;
    private final Clock clock;
    private final long heartbeatNanos;
    private final Map<WatchCall, WatchStream> streams = new ConcurrentHashMap<>();
    private final ExecutorService steps;
    private final ExecutorService snapshots;
    private final ScheduledExecutorService ticker;
    private final int maxStreams;
    private final long sendTimeoutNanos;
    /** Streams holding a place among the {@code maxStreams}: taken before a stream starts, given back when it ends. */
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong slowCancelled = new AtomicLong();

    /**
     * @param notifier told of every commit (the control plane wires it to the rules' commit listener)
     * @param clock stamps heartbeats and decides which rotated-out secrets are still live
     * @param settings the heartbeat interval, {@code --max-watch-streams} and {@code --watch-send-timeout}
     */
    public WatchService(KeyStore store, RevisionNotifier notifier, Clock clock, ReplicationSettings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.heartbeatNanos = settings.heartbeatInterval().toNanos();
        this.maxStreams = settings.maxWatchStreams();
        this.sendTimeoutNanos = settings.watchSendTimeout().toNanos();
        this.steps = Executors.newFixedThreadPool(STEP_THREADS, named("keymeter-watch-"));
        // A snapshot keeps its thread (and its read of the store) for as long as its sidecar takes to
        // read it, up to --watch-send-timeout per wait: at most SNAPSHOT_THREADS at once, the others wait
        // their turn in the queue (which the stream cap bounds). One thread per snapshotting stream let
        // 1,000 sidecars that do not read hold ~500 threads and their reads.
        ThreadPoolExecutor snapshotPool = new ThreadPoolExecutor(SNAPSHOT_THREADS, SNAPSHOT_THREADS, 60,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), named("keymeter-watch-snapshot-"));
        snapshotPool.allowCoreThreadTimeOut(true);
        this.snapshots = snapshotPool;
        this.ticker = Executors.newSingleThreadScheduledExecutor(named("keymeter-watch-tick-"));
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(1),
                Math.min(MAX_TICK_NANOS, Math.min(heartbeatNanos, sendTimeoutNanos / 2)));
        ticker.scheduleAtFixedRate(() -> streams.values().forEach(WatchStream::schedule), tick, tick,
                TimeUnit.NANOSECONDS);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger number = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<WatchEvent> responseObserver) {
        if (request.getAppliedRevision() < 0) {
            responseObserver.onError(Status.INVALID_ARGUMENT.withDescription(
                    "applied_revision: must be 0 or more, was " + request.getAppliedRevision()).asRuntimeException());
            return;
        }
        if (request.getSidecarId().length() > MAX_SIDECAR_ID) {
            responseObserver.onError(Status.INVALID_ARGUMENT.withDescription(
                    "sidecar_id: at most " + MAX_SIDECAR_ID + " characters").asRuntimeException());
            return;
        }
        if (closed) {
            responseObserver.onError(Status.UNAVAILABLE.withDescription("the control plane is shutting down")
                    .asRuntimeException());
            return;
        }
        if (!takeSlot()) {
            refuse(responseObserver);
            return;
        }
        WatchCall call = new WatchCall((ServerCallStreamObserver<WatchEvent>) responseObserver, sendTimeoutNanos);
        WatchStream stream = new WatchStream(store, notifier, clock, heartbeatNanos, call,
                request.getAppliedRevision(), request.getStoreId(), forLog(request.getSidecarId()), steps, snapshots,
                () -> ended(call));
        streams.put(call, stream);
        stream.start();
    }

    private void refuse(StreamObserver<WatchEvent> responseObserver) {
        long total = refused.incrementAndGet();
        if (total == 1 || total % 1_000 == 0) { // a reconnecting fleet must not flood the log
            LOG.log(Level.WARNING, "replication: refused a Watch stream: {0} streams are open"
                    + " (--max-watch-streams); {1} refused since start", Integer.toString(maxStreams),
                    Long.toString(total));
        }
        responseObserver.onError(Status.RESOURCE_EXHAUSTED.withDescription("this control plane already serves "
                + maxStreams + " Watch streams (--max-watch-streams); retry later or elsewhere")
                .asRuntimeException());
    }

    /** A stream has ended: its place goes back. */
    private void ended(WatchCall call) {
        if (call.endedSlow()) {
            slowCancelled.incrementAndGet();
        }
        if (streams.remove(call) != null) {
            open.decrementAndGet();
        }
    }

    /** A place among the {@code --max-watch-streams}; false when all are taken. */
    private boolean takeSlot() {
        while (true) {
            int now = open.get();
            if (now >= maxStreams) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Streams being served now. */
    public int activeStreams() {
        return streams.size();
    }

    /** Streams refused since start because {@code --max-watch-streams} were open. */
    public long refusedStreams() {
        return refused.get();
    }

    /** Streams cancelled since start because their sidecar did not read for {@code --watch-send-timeout}. */
    public long slowStreamsCancelled() {
        return slowCancelled.get();
    }

    /** Ends every stream (UNAVAILABLE) and waits up to 5 s for them. Closing twice does nothing. */
    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        streams.keySet().forEach(WatchCall::shutDown);
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        while (!streams.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5); // streams end on the pools' threads; a snapshot ends at its next send
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!streams.isEmpty()) {
            LOG.log(Level.WARNING, "replication: {0} watch streams did not end within 5 s; interrupting them",
                    Integer.toString(streams.size()));
        }
        steps.shutdownNow();
        snapshots.shutdownNow();
    }

    /**
     * The sidecar id as a log field: it is client input, so only a conservative set of characters
     * passes (others become '_'); empty becomes "-".
     */
    static String forLog(String sidecarId) {
        if (sidecarId.isEmpty()) {
            return "-";
        }
        StringBuilder safe = new StringBuilder(sidecarId.length());
        for (int i = 0; i < sidecarId.length(); i++) {
            char c = sidecarId.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            safe.append(plain ? c : '_');
        }
        return safe.toString();
    }
}
