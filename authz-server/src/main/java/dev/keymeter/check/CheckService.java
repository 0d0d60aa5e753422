package dev.keymeter.check;

import dev.keymeter.replica.KeyReplica;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * {@code envoy.service.auth.v3.Authorization/Check} over gRPC: a thin adapter around {@link Authorizer}.
 *
 * <p>Every decision, allow or deny, completes the call with a {@link CheckResponse}. A gRPC error means
 * "no decision", and Envoy answers with its {@code status_on_error} (403 by default, design §4):
 * {@code UNAVAILABLE} until the replica has loaded (fail closed, design §6), {@code INTERNAL} when
 * deciding failed (e.g. an unreadable replica). Neither carries details of the failure.
 *
 * <p>Never blocks, so it may run on the transport threads: register it on a server built with
 * {@code directExecutor()} (design §4b).
 */
public final class CheckService extends AuthorizationGrpc.AuthorizationImplBase {

    private final Authorizer authorizer;
    private final BooleanSupplier replicaLoaded;
    /** Latched: a replica that has loaded stays loaded, so the supplier is not asked again. */
    private volatile boolean ready;

    /**
     * @param replicaLoaded true once the replica holds a complete snapshot (e.g. {@code replica::isLoaded});
     *     asked on each call until it first answers true, so it must be cheap and must not block
     */
    public CheckService(KeyReplica replica, Clock clock, CheckSettings settings, BooleanSupplier replicaLoaded) {
        this(new Authorizer(replica, clock, settings), replicaLoaded);
    }

    public CheckService(Authorizer authorizer, BooleanSupplier replicaLoaded) {
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
        this.replicaLoaded = Objects.requireNonNull(replicaLoaded, "replicaLoaded");
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    @Override
    public void check(CheckRequest request, StreamObserver<CheckResponse> responses) {
        if (!isReady()) {
            authorizer.listener().notReady();
            responses.onError(Status.UNAVAILABLE.withDescription("key replica not loaded yet").asRuntimeException());
            return;
        }
        CheckResponse response;
        long started = System.nanoTime();
        try {
            response = authorizer.check(request);
            authorizer.listener().decided(System.nanoTime() - started);
        } catch (RuntimeException e) {
            authorizer.listener().failed(e);
            responses.onError(Status.INTERNAL.withDescription("authorization failed").asRuntimeException());
            return;
        }
        responses.onNext(response);
        responses.onCompleted();
    }

    private boolean isReady() {
        if (ready) {
            return true;
        }
        boolean loaded = replicaLoaded.getAsBoolean();
        if (loaded) {
            ready = true;
        }
        return loaded;
    }
}
