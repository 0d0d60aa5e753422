package dev.keymeter.replication;

import dev.keymeter.proto.replication.v1.WatchEvent;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One Watch call as its stream thread sees it: a place to send events that blocks while gRPC flow
 * control says the sidecar is not ready, and a place to park until a commit rings, the sidecar goes
 * away or the control plane shuts down.
 *
 * <p>One lock and one condition carry every wake-up: the onReady and onCancel handlers (gRPC's
 * threads), {@link #ring} (committing threads) and {@link #shutDown} signal under the lock, and the
 * stream thread re-checks its predicate under the same lock before it waits, so no wake-up is lost
 * between the check and the wait. Only the stream thread calls {@link #send} and {@link #fail}:
 * gRPC wants a call's outbound messages from one thread at a time.
 */
final class WatchCall {

    /** The call is over for this stream thread: the sidecar cancelled, or the control plane is stopping. */
    static final class Ended extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Ended(String message) {
            super(message, null, false, false);
        }
    }

    /** The sidecar took nothing for the send timeout: the stream ends and lets go of the store. */
    static final class TooSlow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooSlow(String message) {
            super(message, null, false, false);
        }
    }

    /** A missed onReady would stall a stream until the next wake-up; re-check readiness this often anyway. */
    private static final long READY_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ServerCallStreamObserver<WatchEvent> observer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUp = lock.newCondition();
    private boolean cancelled;
    private boolean shuttingDown;
    private boolean rung;
    private final long sendTimeoutNanos;
    private volatile boolean endedSlow;

    /**
     * Must run inside the service method: gRPC takes handlers only before the method returns.
     *
     * @param sendTimeoutNanos how long {@link #send} waits for a sidecar that does not read
     */
    WatchCall(ServerCallStreamObserver<WatchEvent> observer, long sendTimeoutNanos) {
        this.observer = observer;
        this.sendTimeoutNanos = sendTimeoutNanos;
        observer.setOnReadyHandler(this::signal);
        observer.setOnCancelHandler(() -> {
            lock.lock();
            try {
                cancelled = true;
                wakeUp.signalAll();
            } finally {
                lock.unlock();
            }
        });
    }

    /**
     * Sends {@code event} once the transport can take it; the buffer per call stays at gRPC's ~32 KiB.
     *
     * @throws TooSlow when the sidecar takes nothing for the send timeout: the caller must end the
     *     stream, and with it any read of the store it holds
     */
    void send(WatchEvent event) {
        lock.lock();
        try {
            long waitStart = System.nanoTime();
            while (!observer.isReady()) {
                requireOpen();
                long left = sendTimeoutNanos - (System.nanoTime() - waitStart);
                if (left <= 0) {
                    endedSlow = true;
                    throw new TooSlow("the sidecar read nothing for " + (sendTimeoutNanos / 1_000_000)
                            + " ms (--watch-send-timeout)");
                }
                await(Math.min(left, READY_RECHECK_NANOS));
            }
            requireOpen();
        } finally {
            lock.unlock();
        }
        observer.onNext(event);
    }

    /**
     * Parks until a commit rings (true; the ring is consumed) or {@code timeoutNanos} pass (false).
     *
     * @throws Ended when the call ends meanwhile
     */
    boolean awaitRing(long timeoutNanos) {
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (!rung && remaining > 0) {
                requireOpen();
                remaining = await(remaining);
            }
            requireOpen();
            boolean wasRung = rung;
            rung = false;
            return wasRung;
        } finally {
            lock.unlock();
        }
    }

    /** A commit happened; the {@link RevisionNotifier} calls this on the committing thread. */
    void ring() {
        lock.lock();
        try {
            rung = true;
            wakeUp.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The control plane is stopping: the stream thread ends the call with UNAVAILABLE. */
    void shutDown() {
        lock.lock();
        try {
            shuttingDown = true;
            wakeUp.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the call with {@code status}, unless the sidecar already went away. */
    void fail(Status status) {
        if (!isCancelled()) {
            observer.onError(status.asRuntimeException());
        }
    }

    /** Whether the stream ended because its sidecar stopped reading ({@link TooSlow}). */
    boolean endedSlow() {
        return endedSlow;
    }

    boolean isCancelled() {
        lock.lock();
        try {
            return cancelled || observer.isCancelled();
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            wakeUp.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() {
        if (cancelled) {
            throw new Ended("the sidecar cancelled the call");
        }
        if (shuttingDown) {
            throw new Ended("the control plane is shutting down");
        }
    }

    private long await(long nanos) {
        try {
            return wakeUp.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shuttingDown = true;
            throw new Ended("the stream thread was interrupted");
        }
    }
}
