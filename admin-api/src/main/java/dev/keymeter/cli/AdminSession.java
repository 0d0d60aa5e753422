package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import dev.keymeter.tls.ClientTls;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One command's connection to the admin API: a plaintext or TLS channel, a stub that sends
 * {@code authorization: Bearer <admin key>} with every call, and a per-call deadline.
 *
 * <p>The deadline is set per call ({@link #stub()}), not once per session, so that {@code --all}
 * paging through many pages gives each page the full timeout. Close the session when the command
 * ends: it shuts the channel down so the JVM can exit promptly.
 */
final class AdminSession implements AutoCloseable {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static final long CLOSE_WAIT_SECONDS = 5;

    private final ManagedChannel channel;
    private final AdminServiceBlockingStub stub;
    private final Duration timeout;

    private final ClientTls tls;

    private AdminSession(ManagedChannel channel, AdminServiceBlockingStub stub, Duration timeout, ClientTls tls) {
        this.tls = tls;
        this.channel = channel;
        this.stub = stub;
        this.timeout = timeout;
    }

    /** Opens a session, over TLS when {@code tls} is set; the channel connects lazily, at the first call. */
    static AdminSession open(String address, String adminKey, Duration timeout, ClientTls tls) {
        ManagedChannel channel = tls == null ? ManagedChannelBuilder.forTarget(address).usePlaintext().build()
                : Grpc.newChannelBuilder(address, tls.credentials()).build();
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + adminKey);
        AdminServiceBlockingStub stub = AdminServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        return new AdminSession(channel, stub, timeout, tls);
    }

    /** The stub for one call, its deadline starting now. */
    AdminServiceBlockingStub stub() {
        return stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (tls != null) {
            tls.close();
        }
    }
}
