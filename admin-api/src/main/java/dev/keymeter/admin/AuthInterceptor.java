package dev.keymeter.admin;

import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.lifecycle.AuditedStore;
import dev.keymeter.lifecycle.Authenticator;
import dev.keymeter.lifecycle.Caller;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.replication.v1.ReplicationServiceGrpc;
import dev.keymeter.proto.replication.v1.SidecarReportServiceGrpc;
import dev.keymeter.store.StoreException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Set;

/**
 * Authenticates every admin and replication call from {@code authorization: Bearer <key>} and puts
 * the {@link Caller} in the gRPC context. A refused mutating call is audited (with no actor). The
 * token is digested by the {@link Authenticator} and dropped; it is never logged.
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
    private static final Set<String> READS = Set.of("GetProject", "ListProjects", "ListMembers", "GetKey",
            "ListKeys", "GetKeyUsage", "ListAuditRecords", "GetReplicationStatus");

    private final Authenticator authenticator;
    private final AuditedStore audited;
    private final AdminKeyForSidecarWarning deprecation = new AdminKeyForSidecarWarning();

    AuthInterceptor(Authenticator authenticator, AuditedStore audited) {
        this.authenticator = authenticator;
        this.audited = audited;
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
            String method = call.getMethodDescriptor().getBareMethodName();
            if (!replication && !READS.contains(method)) {
                audited.recordRefusal("", method, "", refused.reason().name());
            }
            call.close(Statuses.of(refused), new Metadata());
            return new ServerCall.Listener<>() { };
        } catch (StoreException storeFailed) { // e.g. the database is down: UNAVAILABLE, not UNKNOWN
            call.close(Statuses.of(storeFailed), new Metadata());
            return new ServerCall.Listener<>() { };
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
