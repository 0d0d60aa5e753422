package dev.keymeter.replica;

import dev.keymeter.proto.replication.v1.WatchEvent;
import dev.keymeter.proto.replication.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.BiConsumer;

/**
 * One Watch call of the {@link ReplicationClient}: hands each event to its {@link WatchEventApplier}
 * and reports what was applied and how the call ended. Its callbacks run on the client's thread
 * (the stub's executor), one at a time. A stream that breaks the protocol is cancelled, and the
 * events gRPC still delivers after that are dropped.
 */
final class WatchStreamObserver implements ClientResponseObserver<WatchRequest, WatchEvent> {

    private static final Logger LOG = System.getLogger("keymeter.replication");

    private final WatchEventApplier applier;
    private final BiConsumer<WatchEventApplier.Applied, WatchEvent> applied;
    private final BiConsumer<WatchStreamObserver, Status> ended;
    private ClientCallStreamObserver<WatchRequest> call;
    private boolean brokeProtocol;

    WatchStreamObserver(WatchEventApplier applier, BiConsumer<WatchEventApplier.Applied, WatchEvent> applied,
            BiConsumer<WatchStreamObserver, Status> ended) {
        this.applier = applier;
        this.applied = applied;
        this.ended = ended;
    }

    WatchEventApplier applier() {
        return applier;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
        this.call = requestStream;
    }

    @Override
    public void onNext(WatchEvent event) {
        if (brokeProtocol) {
            return;
        }
        WatchEventApplier.Applied what;
        try {
            what = applier.apply(event);
        } catch (RuntimeException e) {
            brokeProtocol = true;
            LOG.log(Level.ERROR, "replication: stopped applying this stream: {0}", e.toString());
            cancel("applying failed: " + e.getMessage());
            return;
        }
        applied.accept(what, event);
    }

    @Override
    public void onError(Throwable t) {
        ended.accept(this, Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        ended.accept(this, Status.UNAVAILABLE.withDescription("the control plane completed the stream"));
    }

    void cancel(String why) {
        call.cancel(why, null);
    }
}
