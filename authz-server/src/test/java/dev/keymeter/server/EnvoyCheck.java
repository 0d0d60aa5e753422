package dev.keymeter.server;

import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;

/** Calls a running sidecar's Check the way Envoy does, and reads the HTTP status Envoy would send. */
final class EnvoyCheck implements AutoCloseable {

    private final ManagedChannel channel;

    EnvoyCheck(int port) {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    /** Over TLS (or mTLS) with {@code credentials}, as Envoy's {@code transport_socket} would. */
    EnvoyCheck(int port, io.grpc.ChannelCredentials credentials) {
        channel = io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
    }

    /** The channel, for calls other than Check on the same port. */
    ManagedChannel channel() {
        return channel;
    }

    /** Waits (bounded) until health says SERVING: the replica has loaded. */
    void awaitServing() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance());
                if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                    return;
                }
            } catch (StatusRuntimeException notYet) {
                // the server may still be starting
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the sidecar did not become SERVING within 30 s");
    }

    /** The HTTP status Envoy would answer: 200 for an allowed request, else the denial's status. */
    int check(String token, String method, String path) {
        return status(response(token, method, path));
    }

    /** The whole answer to one request. */
    CheckResponse response(String token, String method, String path) {
        AttributeContext.HttpRequest http = AttributeContext.HttpRequest.newBuilder()
                .setMethod(method).setPath(path)
                .putHeaders(":method", method).putHeaders(":path", path)
                .putHeaders("authorization", "Bearer " + token)
                .build();
        return AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
                        .setRequest(AttributeContext.Request.newBuilder().setHttp(http))).build());
    }

    static int status(CheckResponse r) {
        return r.getStatus().getCode() == 0 ? 200 : r.getDeniedResponse().getStatus().getCodeValue();
    }

    /** Polls (bounded, 30 s: a reconnect may wait out its backoff) until Check answers {@code expected}. */
    int awaitStatus(String token, String method, String path, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int status;
        do {
            status = check(token, method, path);
            if (status == expected) {
                return status;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        return status;
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
