package dev.keymeter.check;

import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.usage.Budgets;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Check server: the real Chronicle replica in a temp dir behind the hot-entry cache, as the
 * sidecar serves it (its lookups counted), the real {@link CheckService} on an in-process gRPC server
 * with {@code directExecutor()} as in production, and a real blocking stub. The clock is moved by hand.
 */
final class CheckHarness implements AutoCloseable {

    private static final long CAPACITY = 1_024;

    final MutableClock clock = new MutableClock(TestKeys.NOW);
    final CountingReplica replica;
    final RecordingListener listener = new RecordingListener();
    final LastUsedTracker lastUsed = new LastUsedTracker(1);
    final Authorizer authorizer;
    private final Server server;
    private final ManagedChannel channel;
    private final AuthorizationGrpc.AuthorizationBlockingStub stub;

    /** Default settings, replica loaded (an empty snapshot applied). */
    CheckHarness(Path dir) {
        this(dir, CheckSettings.defaults(), true);
    }

    CheckHarness(Path dir, CheckSettings settings, boolean loaded) {
        this(dir, settings, loaded, null);
    }

    /** With {@code budgets} enforcing limits (null: none). */
    CheckHarness(Path dir, CheckSettings settings, boolean loaded, Budgets budgets) {
        try {
            // As the sidecar serves it: the hot-entry cache (and its memos) in front of the Chronicle replica.
            replica = new CountingReplica(new CachingKeyReplica(ChronicleKeyReplica.open(dir.resolve("keys"), CAPACITY), 64));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (loaded) {
            replica.beginSnapshot(1);
            replica.endSnapshot(1);
        }
        authorizer = Authorizer.builder(replica, clock, settings).listener(listener).lastUsed(lastUsed)
                .budgets(budgets).build();
        String name = InProcessServerBuilder.generateName();
        try {
            server = InProcessServerBuilder.forName(name).directExecutor()
                    .addService(new CheckService(authorizer, replica::isLoaded)).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        stub = AuthorizationGrpc.newBlockingStub(channel);
    }

    /** Puts a key record into the replica, as the replication client would. */
    void add(KeyRecord.Builder record) {
        replica.upsert(record.build());
    }

    CheckResponse check(CheckRequest request) {
        return stub.withDeadlineAfter(10, TimeUnit.SECONDS).check(request);
    }

    /** Sends {@code request} as it is, byte for byte: for requests a protobuf builder would not write. */
    CheckResponse checkBytes(byte[] request) {
        MethodDescriptor<byte[], CheckResponse> raw = AuthorizationGrpc.getCheckMethod()
                .toBuilder(new RawBytes(), AuthorizationGrpc.getCheckMethod().getResponseMarshaller()).build();
        return ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                request);
    }

    private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        replica.close();
    }
}
