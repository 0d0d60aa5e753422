package dev.keymeter.usage;

import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import dev.keymeter.proto.usage.v1.UsageServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Both usage services on a real Netty gRPC server on 127.0.0.1 (an ephemeral port, {@code
 * directExecutor()} as in production), with a real channel and stubs: what Envoy and a gateway talk to.
 */
final class UsageServer implements AutoCloseable {

    final RecordingSink sink;
    final RecordingIngestion listener = new RecordingIngestion();
    private final Server server;
    private final ManagedChannel channel;
    final UsageServiceGrpc.UsageServiceBlockingStub reports;
    private final AccessLogServiceGrpc.AccessLogServiceStub accessLogs;

    UsageServer(RecordingSink sink, UsageSettings settings, LongSupplier nowMillis) {
        this.sink = sink;
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .directExecutor()
                    .addService(new AccessLogService(sink, settings, listener, nowMillis))
                    .addService(new UsageReportService(sink, listener, nowMillis))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        reports = UsageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        accessLogs = AccessLogServiceGrpc.newStub(channel);
    }

    /**
     * Opens one access-log stream, sends {@code messages} in order, half-closes, and waits for the
     * server's answer (which it sends once it has handled every message).
     */
    StreamAccessLogsResponse stream(List<StreamAccessLogsMessage> messages) throws Exception {
        CompletableFuture<StreamAccessLogsResponse> answer = new CompletableFuture<>();
        StreamObserver<StreamAccessLogsMessage> requests = accessLogs.withDeadlineAfter(10, TimeUnit.SECONDS)
                .streamAccessLogs(new StreamObserver<>() {
                    private StreamAccessLogsResponse last;

                    @Override
                    public void onNext(StreamAccessLogsResponse value) {
                        last = value;
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.complete(last);
                    }
                });
        for (StreamAccessLogsMessage m : messages) {
            requests.onNext(m);
        }
        requests.onCompleted();
        return answer.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
