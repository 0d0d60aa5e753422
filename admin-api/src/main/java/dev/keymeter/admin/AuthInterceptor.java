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
 * <p>Replication (a sidecar's Watch) needs an admin key that may read key records: preset All or
 * Read only (the right credential for a sidecar, which reads every key record), or Restricted with
 * read on {@code identities}. Project keys are refused (PERMISSION_DENIED). Other services (health,
 * reflection) pass unauthenticated.
 */
final class AuthInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";
    private static final Set<String> READS = Set.of("GetProject", "ListProjects", "ListMembers", "GetKey",
            "ListKeys", "GetKeyUsage", "ListAuditRecords");

    private final Authenticator authenticator;
    private final AuditedStore audited;

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
            if (replication && !caller.isAdmin()) {
                throw AdminFailure.denied("replication needs an admin key (a read-only one will do); "
                        + "project keys cannot watch key records");
            }
            if (replication) { // key records: a Restricted admin key needs read on them, as for ListKeys
                caller.requireAdminRead(Caller.KEYS_AND_MEMBERS);
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
