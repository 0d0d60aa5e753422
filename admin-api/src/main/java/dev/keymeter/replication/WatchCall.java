package dev.keymeter.replication;

import dev.keymeter.proto.replication.v1.WatchEvent;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One Watch call as its {@link WatchStream} sees it: whether the sidecar can take an event now
 * (gRPC flow control), a way to send, and the wake-ups that make the stream look again — the
 * transport becoming ready, the sidecar cancelling, the control plane shutting down.
 *
 * <p>Most sending does not wait: the stream sends while {@link #ready} and otherwise returns, and the
 * onReady handler wakes it. Only a snapshot, which keeps one read of the store open, sends with
 * {@link #sendBlocking}; that waits under one lock and condition, signalled by the same handlers, and
 * gives up after the send timeout ({@link TooSlow}), so that the read is released. The stream makes
 * sure that only one thread at a time sends on a call, as gRPC wants.
 */
final class WatchCall {

    /** The call is over for this stream: the sidecar cancelled, or the control plane is stopping. */
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

    /** A missed onReady would stall a blocking send until the next wake-up; re-check readiness this often anyway. */
    private static final long READY_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ServerCallStreamObserver<WatchEvent> observer;
    private final long sendTimeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile Runnable wakeUp = () -> { };
    private volatile boolean cancelled;
    private volatile boolean shuttingDown;
    private volatile boolean endedSlow;

    /**
     * Must run inside the service method: gRPC takes handlers only before the method returns.
     *
     * @param sendTimeoutNanos how long the sidecar may take nothing before the stream is cancelled
     */
    WatchCall(ServerCallStreamObserver<WatchEvent> observer, long sendTimeoutNanos) {
        this.observer = observer;
        this.sendTimeoutNanos = sendTimeoutNanos;
        observer.setOnReadyHandler(this::signal);
        observer.setOnCancelHandler(() -> {
            cancelled = true;
            signal();
        });
    }

    /** What to run when something changed for the call (its stream schedules itself). */
    void onWakeUp(Runnable newWakeUp) {
        this.wakeUp = newWakeUp;
    }

    long sendTimeoutNanos() {
        return sendTimeoutNanos;
    }

    /** Whether the transport takes an event now without buffering beyond gRPC's ~32 KiB. */
    boolean ready() {
        return observer.isReady();
    }

    /** Sends at once; callers check {@link #ready} first. */
    void send(WatchEvent event) {
        observer.onNext(event);
    }

    /**
     * Sends {@code event} once the transport can take it, waiting at most the send timeout.
     *
     * @throws TooSlow when the sidecar takes nothing for the send timeout: the caller must end the
     *     stream, and with it the read of the store it holds
     * @throws Ended when the call ends meanwhile
     */
    void sendBlocking(WatchEvent event) {
        lock.lock();
        try {
            long waitStart = System.nanoTime();
            while (!observer.isReady()) {
                requireOpen();
                long left = sendTimeoutNanos - (System.nanoTime() - waitStart);
                if (left <= 0) {
                    throw tooSlow();
                }
                await(Math.min(left, READY_RECHECK_NANOS));
            }
            requireOpen();
        } finally {
            lock.unlock();
        }
        observer.onNext(event);
    }

    /** The stream gives up on a sidecar that read nothing for the send timeout. */
    TooSlow tooSlow() {
        endedSlow = true;
        return new TooSlow("the sidecar read nothing for " + TimeUnit.NANOSECONDS.toMillis(sendTimeoutNanos)
                + " ms (--watch-send-timeout)");
    }

    /** The control plane is stopping: the stream ends the call with UNAVAILABLE. */
    void shutDown() {
        shuttingDown = true;
        signal();
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
        return cancelled || observer.isCancelled();
    }

    /** @throws Ended when the sidecar cancelled or the control plane is stopping */
    void requireOpen() {
        if (cancelled) {
            throw new Ended("the sidecar cancelled the call");
        }
        if (shuttingDown) {
            throw new Ended("the control plane is shutting down");
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        wakeUp.run();
    }

    private void await(long nanos) {
        try {
            changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shuttingDown = true;
            throw new Ended("the stream thread was interrupted");
        }
    }
}
