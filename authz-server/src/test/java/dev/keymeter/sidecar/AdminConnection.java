package dev.keymeter.sidecar;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;

/**
 * A real admin client of a control plane (over its Netty port, with the bootstrap key), and the
 * Check call the sidecar tests make: the plumbing the sidecar tests share.
 */
final class AdminConnection implements AutoCloseable {

    private final ManagedChannel channel;
    private final Metadata credentials = new Metadata();

    AdminConnection(ControlPlane controlPlane) {
        credentials.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + controlPlane.bootstrapKey().orElseThrow().token());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", controlPlane.port()).usePlaintext().build();
    }

    /** A stub with the bootstrap key and a 10 s deadline. */
    AdminServiceGrpc.AdminServiceBlockingStub stub() {
        return AdminServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(credentials))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** {@code POST /v1/chat/completions} with {@code token} as a bearer token and {@code body} (may be empty). */
    static CheckResponse chatCheck(Channel authz, String token, String body) {
        AttributeContext.HttpRequest http = AttributeContext.HttpRequest.newBuilder()
                .setMethod("POST").setPath("/v1/chat/completions").setBody(body)
                .putHeaders("authorization", "Bearer " + token).build();
        return AuthorizationGrpc.newBlockingStub(authz).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
                        .setRequest(AttributeContext.Request.newBuilder().setHttp(http))).build());
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
