package dev.keymeter.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request whose string field is not UTF-8 (bytes no protobuf client would send, any other client
 * may): refused as INVALID_ARGUMENT, never INTERNAL.
 */
class InvalidUtf8RequestTest {

    @TempDir
    Path dir;
    AdminHarness h;
    ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", h.controlPlane.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        h.close();
    }

    @Test
    void createKey_nameNotUtf8_isInvalidArgument() {
        // CreateKeyRequest{name = 'a', 0xFF, 'b'}: field 1, length-delimited, 3 bytes.
        byte[] request = {0x0A, 0x03, 'a', (byte) 0xFF, 'b'};
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(AdminServiceGrpc.getCreateKeyMethod().getFullMethodName())
                .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes()).build();
        Metadata md = new Metadata();
        md.put(AuthInterceptor.AUTHORIZATION, "Bearer " + h.adminToken);
        var intercepted = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                intercepted, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), String.valueOf(e.getStatus()));
        assertTrue(String.valueOf(e.getStatus().getDescription()).contains("UTF-8"), e.getStatus().getDescription());
        // The same bytes, readable, go through the same wrapped method: only the unreadable one was refused.
        byte[] readable = {0x0A, 0x03, 'a', 'x', 'b'};
        StatusRuntimeException refusedByRules = assertThrows(StatusRuntimeException.class, () ->
                ClientCalls.blockingUnaryCall(intercepted, method,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), readable));
        assertEquals(Status.Code.INVALID_ARGUMENT, refusedByRules.getStatus().getCode());
        assertTrue(refusedByRules.getStatus().getDescription().startsWith("kind: required"),
                refusedByRules.getStatus().getDescription());
        assertEquals(1, h.admin().listKeys(dev.keymeter.proto.admin.v1.ListKeysRequest.getDefaultInstance())
                .getKeysCount(), "the bootstrap key, and nothing the refused calls created");
    }

    private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
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
}
