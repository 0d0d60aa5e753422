package dev.keymeter.admin;

import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.lifecycle.Authenticator;
import dev.keymeter.lifecycle.Caller;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.replication.v1.ReplicationServiceGrpc;
import dev.keymeter.proto.replication.v1.SidecarReportServiceGrpc;
import dev.keymeter.store.StoreException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessSocketAddress;
import dev.keymeter.http.JsonApi;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * Authenticates every admin and replication call from {@code authorization: Bearer <key>} and puts
 * the {@link Caller} in the gRPC context. Refused calls are audited as a rate-limited summary by
 * reason and peer ({@link RefusedCalls}), not one fsynced row each. The token is digested by the
 * {@link Authenticator} and dropped; it is never logged.
 *
 * <p>Replication (a sidecar's Watch) and the sidecar reports need the sidecar role
 * ({@link Caller#requireSidecarRole}): a sidecar credential, or (deprecated, warned once per key) an
 * admin key with preset All; anything else is PERMISSION_DENIED. The admin API refuses sidecar
 * credentials. Other services (health, reflection) pass unauthenticated.
 */
final class AuthInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";
    static final Metadata.Key<String> HTTP_PEER = Metadata.Key.of(JsonApi.PEER_METADATA, Metadata.ASCII_STRING_MARSHALLER);

    private final Authenticator authenticator;
    private final RefusedCalls refusedCalls;
    private final AdminKeyForSidecarWarning deprecation = new AdminKeyForSidecarWarning();

    AuthInterceptor(Authenticator authenticator, RefusedCalls refusedCalls) {
        this.authenticator = authenticator;
        this.refusedCalls = refusedCalls;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        boolean replication = ReplicationServiceGrpc.SERVICE_NAME.equals(service)
                || SidecarReportServiceGrpc.SERVICE_NAME.equals(service);
        if (!AdminServiceGrpc.SERVICE_NAME.equals(service) && !replication) {
            return next.startCall(call, headers);
        }
        try {
            Caller caller = authenticator.authenticate(bearer(headers.get(AUTHORIZATION)));
            if (replication && caller.requireSidecarRole()) {
                deprecation.warnOnce(caller.keyId());
            } else if (!replication && caller.isSidecar()) {
                throw AdminFailure.denied("sidecar credentials serve only replication and sidecar reports, "
                        + "not the admin API");
            }
            return Contexts.interceptCall(Context.current().withValue(CallerContext.CALLER, caller), call, headers, next);
        } catch (AdminFailure refused) {
            refusedCalls.record(refused.reason(), peer(call, headers));
            call.close(Statuses.of(refused), new Metadata());
            return new ServerCall.Listener<>() { };
        } catch (StoreException storeFailed) { // e.g. the database is down: UNAVAILABLE, not UNKNOWN
            call.close(Statuses.of(storeFailed), new Metadata());
            return new ServerCall.Listener<>() { };
        }
    }

    /**
     * Who called: the socket's peer; for a call from the JSON API (the in-process server, reachable
     * only from this JVM) the HTTP client's address, which that API relays as a literal IP. A network
     * caller cannot claim an address: its transport address is an {@link InetSocketAddress}.
     */
    private static SocketAddress peer(ServerCall<?, ?> call, Metadata headers) {
        SocketAddress transport = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        String relayed = headers.get(HTTP_PEER);
        if (!(transport instanceof InProcessSocketAddress) || relayed == null
                || !(relayed.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || relayed.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*"))) {
            return transport;
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(relayed), 0); // a literal: no name lookup
        } catch (UnknownHostException e) {
            return transport;
        }
    }

    private static String bearer(String header) {
        if (header == null) {
            return null;
        }
        if (header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return header.substring(BEARER.length()).strip();
        }
        throw AdminFailure.unauthenticated("authorization: expected 'Bearer <admin key>'");
    }
}
