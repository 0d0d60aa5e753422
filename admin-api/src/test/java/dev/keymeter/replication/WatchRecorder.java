package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keymeter.proto.replication.v1.WatchEvent;
import dev.keymeter.proto.replication.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one Watch call in a test: every event lands in a queue that the test takes
 * from, waiting for the next event (never for time) up to a generous bound. With {@code manual}
 * flow control it requests nothing until the test calls {@link #request}.
 */
final class WatchRecorder implements ClientResponseObserver<WatchRequest, WatchEvent> {

    private static final long WAIT_SECONDS = 30; // generous: a loaded 2-core machine must never hit it

    private final BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();
    private final boolean manual;
    private volatile ClientCallStreamObserver<WatchRequest> call;

    WatchRecorder(boolean manual) {
        this.manual = manual;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
        this.call = requestStream;
        if (manual) {
            requestStream.disableAutoRequestWithInitial(0);
        }
    }

    @Override
    public void onNext(WatchEvent event) {
        events.add(event);
    }

    @Override
    public void onError(Throwable t) {
        end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        end.complete(Status.OK);
    }

    /** The next event; fails the test if none comes within 30 s. */
    WatchEvent next() {
        try {
            WatchEvent event = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (event == null) {
                fail("no Watch event within " + WAIT_SECONDS + " s; call ended with " + end.getNow(null));
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next {@code n} events. */
    List<WatchEvent> next(int n) {
        List<WatchEvent> taken = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            taken.add(next());
        }
        return taken;
    }

    /** The next event that is not a heartbeat. */
    WatchEvent nextNotHeartbeat() {
        WatchEvent event = next();
        while (event.hasHeartbeat()) {
            event = next();
        }
        return event;
    }

    /** The status the call ended with; fails the test if it does not end within 30 s. */
    Status awaitEnd() {
        try {
            Status status = end.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(status);
            return status;
        } catch (Exception e) {
            throw new AssertionError("the Watch call did not end", e);
        }
    }

    /** Events received and not taken yet. */
    int buffered() {
        return events.size();
    }

    boolean ended() {
        return end.isDone();
    }

    void request(int n) {
        assertTrue(manual, "request() is for manual flow control");
        call.request(n);
    }

    void cancel() {
        call.cancel("test cancels", null);
    }
}
