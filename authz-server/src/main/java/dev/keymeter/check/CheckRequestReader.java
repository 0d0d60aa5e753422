package dev.keymeter.check;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * How {@link CheckService} reads a {@code CheckRequest} off the wire, so that no request, however
 * malformed, fails the call.
 *
 * <p>Envoy copies header values and the body into {@code string} fields as it received them; protobuf
 * refuses a {@code string} that is not UTF-8, and with gRPC's own marshaller the call then ended in
 * {@code UNKNOWN} (Envoy: {@code status_on_error}, and a SEVERE line per request). Here a request that
 * does not parse is looked at field by field ({@link UnreadableRequests}): a body that is not UTF-8 is
 * moved to {@code raw_body} (an upload is a body like any other) and the request decided; a header or
 * another field that is not UTF-8 is answered 400 naming it; bytes that are not a {@code CheckRequest}
 * at all are answered 400 too.
 *
 * <p>The bytes are read whole first (a request is a few KiB at most: Envoy's {@code max_request_bytes}
 * bounds the body) so that they can be looked at again after a failed parse: into a per-thread buffer
 * when gRPC knows the length (as it does for a received message), so that the common path allocates no
 * more than gRPC's own marshaller, which also reads into a buffer before parsing. Parsing copies what
 * it keeps (strings, and {@code bytes} fields without aliasing), so the buffer is reused safely.
 */
final class CheckRequestReader implements MethodDescriptor.Marshaller<IncomingCheck> {

    private static final MethodDescriptor.Marshaller<CheckRequest> PROTOBUF =
            ProtoUtils.marshaller(CheckRequest.getDefaultInstance());
    /** Larger requests get a buffer of their own, not kept: a thread must not hold a huge one for ever. */
    private static final int MAX_KEPT_BUFFER = 1 << 20;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

    /** Only for a client of this method descriptor: the server never sends requests. */
    @Override
    public InputStream stream(IncomingCheck value) {
        return PROTOBUF.stream(value.request());
    }

    @Override
    public IncomingCheck parse(InputStream stream) {
        try {
            if (stream instanceof KnownLength) {
                int length = stream.available();
                byte[] buffer = buffer(length);
                if (stream.readNBytes(buffer, 0, length) == length && stream.read() < 0) {
                    return parse(buffer, length);
                }
                throw new IOException("the message is not as long as announced");
            }
            byte[] bytes = stream.readAllBytes();
            return parse(bytes, bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the transport failed: no request to decide on
        }
    }

    private static IncomingCheck parse(byte[] bytes, int length) {
        try {
            return IncomingCheck.of(CheckRequest.parseFrom(CodedInputStream.newInstance(bytes, 0, length)));
        } catch (InvalidProtocolBufferException e) {
            return UnreadableRequests.read(Arrays.copyOf(bytes, length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] buffer(int length) {
        if (length > MAX_KEPT_BUFFER) {
            return new byte[length];
        }
        byte[] buffer = BUFFER.get();
        if (buffer.length < length) {
            buffer = new byte[Math.max(length, buffer.length * 2)];
            BUFFER.set(buffer);
        }
        return buffer;
    }
}
