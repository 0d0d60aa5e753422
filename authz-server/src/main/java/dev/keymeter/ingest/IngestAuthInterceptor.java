package dev.keymeter.ingest;

import dev.keymeter.proto.usage.v1.UsageServiceGrpc;
import dev.keymeter.usage.IngestionListener;
import dev.keymeter.usage.UsageRecord.Source;
import dev.keymeter.usage.WarningLimiter;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The gate in front of the usage services: a call to {@code UsageService/Report} or
 * {@code AccessLogService/StreamAccessLogs} goes on only with an {@link IngestCredential} that
 * {@linkplain IngestCredential#admitted() admits} it; otherwise it is closed UNAUTHENTICATED before the
 * service sees a byte, so nothing is charged, and {@link IngestionListener#unauthenticated} counts it.
 * Calls to other services (Check, health, reflection) pass untouched.
 *
 * <p>Runs on the transport thread (the ext_authz server is {@code directExecutor}): one SHA-256 per
 * call, no blocking. The token is read, digested and dropped; a refusal's description and the
 * (rate-limited) warning line say what was missing, never what was sent. Thread-safe.
 */
public final class IngestAuthInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> TOKEN = Metadata.Key.of(IngestTokens.HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Logger LOG = System.getLogger("keymeter.usage");
    private static final String MISSING = "usage ingestion needs a credential: send the ingest token as gRPC metadata "
            + IngestTokens.HEADER + " (Envoy: grpc_service.initial_metadata) or a client certificate (mTLS)";
    private static final String UNKNOWN = IngestTokens.HEADER + ": not an ingest token of this sidecar";

    private final IngestTokens tokens;
    private final IngestionListener listener;
    private final WarningLimiter warnings;

    public IngestAuthInterceptor(IngestTokens tokens, IngestionListener listener) {
        this(tokens, listener, System::currentTimeMillis);
    }

    IngestAuthInterceptor(IngestTokens tokens, IngestionListener listener, LongSupplier nowMillis) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.warnings = new WarningLimiter(10_000, nowMillis);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Source source = sourceOf(call.getMethodDescriptor().getServiceName());
        if (source == null) {
            return next.startCall(call, headers);
        }
        IngestCredential credential = IngestCredential.of(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION),
                headers.get(TOKEN), tokens);
        if (credential.admitted()) {
            return next.startCall(call, headers);
        }
        listener.unauthenticated(source);
        long skipped = warnings.tryLine();
        if (skipped != WarningLimiter.SUPPRESSED) {
            LOG.log(Level.WARNING, "usage call refused: " + credential.name().toLowerCase(java.util.Locale.ROOT)
                    + " credential source=" + source.label()
                    + (skipped > 0 ? " suppressed_since_last=" + skipped : ""));
        }
        call.close(Status.UNAUTHENTICATED.withDescription(credential == IngestCredential.MISSING ? MISSING : UNKNOWN),
                new Metadata());
        return new ServerCall.Listener<>() { };
    }

    private static Source sourceOf(String service) {
        if (UsageServiceGrpc.SERVICE_NAME.equals(service)) {
            return Source.REPORT;
        }
        if (AccessLogServiceGrpc.SERVICE_NAME.equals(service)) {
            return Source.ACCESS_LOG;
        }
        return null;
    }
}
