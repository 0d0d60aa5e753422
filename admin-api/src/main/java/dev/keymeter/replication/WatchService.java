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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ReplicationService/Watch}: each call gets a {@link WatchStream} on a thread of its own
 * (never gRPC's threads: a stream parks for as long as the sidecar is connected). A sidecar is one
 * parked thread; hundreds are fine, tens of thousands would want an event-driven design.
 *
 * <p>{@link #close} ends every stream with UNAVAILABLE (sidecars reconnect to wherever the control
 * plane comes back) and waits for the stream threads, so that the store can close after it. The
 * caller is authenticated before the call gets here (an admin key, any preset).
 */
public final class WatchService extends ReplicationServiceGrpc.ReplicationServiceImplBase implements AutoCloseable {

    private static final Logger LOG = System.getLogger("keymeter.replication");
    static final int MAX_SIDECAR_ID = 128;
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final KeyStore store;
    private final RevisionNotifier notifier;
    private final Clock clock;
    private final long heartbeatNanos;
    private final Set<WatchCall> calls = ConcurrentHashMap.newKeySet();
    private final ExecutorService streams;
    private volatile boolean closed;

    /**
     * @param notifier told of every commit (the control plane wires it to the rules' commit listener)
     * @param clock stamps heartbeats and decides which rotated-out secrets are still live
     * @param heartbeatInterval silence after which a stream sends a heartbeat
     */
    public WatchService(KeyStore store, RevisionNotifier notifier, Clock clock, Duration heartbeatInterval) {
        this.store = Objects.requireNonNull(store, "store");
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (heartbeatInterval.toNanos() < 1) {
            throw new IllegalArgumentException("heartbeatInterval must be positive, was " + heartbeatInterval);
        }
        this.heartbeatNanos = heartbeatInterval.toNanos();
        AtomicInteger threadNumber = new AtomicInteger();
        this.streams = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "keymeter-watch-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
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
        WatchCall call = new WatchCall((ServerCallStreamObserver<WatchEvent>) responseObserver);
        WatchStream stream = new WatchStream(store, notifier, clock, heartbeatNanos, call,
                request.getAppliedRevision(), request.getStoreId(), forLog(request.getSidecarId()));
        calls.add(call);
        try {
            if (closed) {
                throw new RejectedExecutionException("closed");
            }
            streams.execute(() -> {
                try {
                    stream.run();
                } finally {
                    calls.remove(call);
                }
            });
        } catch (RejectedExecutionException e) {
            calls.remove(call);
            call.fail(Status.UNAVAILABLE.withDescription("the control plane is shutting down"));
        }
    }

    /** Streams being served now. */
    public int activeStreams() {
        return calls.size();
    }

    /** Ends every stream (UNAVAILABLE) and waits up to 5 s for their threads. Closing twice does nothing. */
    @Override
    public void close() {
        closed = true;
        streams.shutdown();
        calls.forEach(WatchCall::shutDown);
        try {
            if (!streams.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "replication: {0} watch streams did not end within {1} s; interrupting them",
                        Integer.toString(calls.size()), Long.toString(CLOSE_WAIT_SECONDS));
                streams.shutdownNow();
            }
        } catch (InterruptedException e) {
            streams.shutdownNow();
            Thread.currentThread().interrupt();
        }
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
