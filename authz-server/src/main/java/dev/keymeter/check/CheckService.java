package dev.keymeter.check;

import dev.keymeter.replica.KeyReplica;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * {@code envoy.service.auth.v3.Authorization/Check} over gRPC: a thin adapter around {@link Authorizer}.
 *
 * <p>Every decision, allow or deny, completes the call with a {@code CheckResponse}. A gRPC error means
 * "no decision", and Envoy answers with its {@code status_on_error} (403 by default, design §4):
 * {@code UNAVAILABLE} until the replica has loaded (fail closed, design §6), {@code INTERNAL} when
 * deciding failed (e.g. an unreadable replica). Neither carries details of the failure; an INTERNAL is
 * logged, at most once per 10 s ({@link CheckFailureLog}).
 *
 * <p>Never blocks, so it may run on the transport threads: register it on a server built with
 * {@code directExecutor()} (design §4b).
 *
 * <p>The service is bound by hand rather than through the generated base class, with the generated
 * method's name, type and schema (so reflection and every client see the usual {@code Check}) but a
 * response marshaller of its own ({@link CheckReplyMarshaller}): replies encoded ahead of time go out
 * as their bytes. Requests are read by {@link CheckRequestReader}, which turns a request protobuf
 * refuses (a header that is not UTF-8) into a 400 rather than a failed call ({@code UNKNOWN}); those
 * are logged at most once per 10 s ({@link BadRequestLog}).
 */
public final class CheckService implements BindableService {

    /** {@code Authorization/Check}, reading requests that do not parse too and sending {@link CheckReply}s. */
    private static final MethodDescriptor<IncomingCheck, CheckReply> CHECK = AuthorizationGrpc.getCheckMethod()
            .toBuilder(new CheckRequestReader(), new CheckReplyMarshaller())
            .build();
    private static final ServiceDescriptor SERVICE = ServiceDescriptor.newBuilder(AuthorizationGrpc.SERVICE_NAME)
            .setSchemaDescriptor(AuthorizationGrpc.getServiceDescriptor().getSchemaDescriptor())
            .addMethod(CHECK)
            .build();

    private final Authorizer authorizer;
    private final BooleanSupplier replicaLoaded;
    /** Monotonic milliseconds: the interval between log lines must not follow wall-clock jumps. */
    private final CheckFailureLog failures = new CheckFailureLog(() -> System.nanoTime() / 1_000_000);
    private final BadRequestLog badRequests = new BadRequestLog(() -> System.nanoTime() / 1_000_000);
    /** Latched: a replica that has loaded stays loaded, so the supplier is not asked again. */
    private volatile boolean ready;

    /**
     * @param replicaLoaded true once the replica holds a complete snapshot (e.g. {@code replica::isLoaded});
     *     asked on each call until it first answers true, so it must be cheap and must not block
     */
    public CheckService(KeyReplica replica, Clock clock, CheckSettings settings, BooleanSupplier replicaLoaded) {
        this(Authorizer.builder(replica, clock, settings).build(), replicaLoaded);
    }

    public CheckService(Authorizer authorizer, BooleanSupplier replicaLoaded) {
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
        this.replicaLoaded = Objects.requireNonNull(replicaLoaded, "replicaLoaded");
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(CHECK, ServerCalls.asyncUnaryCall(this::check))
                .build();
    }

    private void check(IncomingCheck incoming, StreamObserver<CheckReply> responses) {
        if (incoming.bad() != null) { // a decision that needs no replica: the request cannot be read
            badRequests.refused(incoming.bad());
            authorizer.listener().denied(DenialReason.MALFORMED_REQUEST, null);
            responses.onNext(CheckReply.of(incoming.bad().response()));
            responses.onCompleted();
            return;
        }
        CheckRequest request = incoming.request();
        if (!isReady()) {
            authorizer.listener().notReady();
            responses.onError(Status.UNAVAILABLE.withDescription("key replica not loaded yet").asRuntimeException());
            return;
        }
        CheckReply reply;
        long started = System.nanoTime();
        try {
            reply = authorizer.decide(request);
            authorizer.listener().decided(System.nanoTime() - started);
        } catch (RuntimeException e) {
            authorizer.listener().failed(e);
            failures.failed(e);
            responses.onError(Status.INTERNAL.withDescription("authorization failed").asRuntimeException());
            return;
        }
        responses.onNext(reply);
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
