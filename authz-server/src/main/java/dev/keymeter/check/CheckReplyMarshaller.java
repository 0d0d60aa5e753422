package dev.keymeter.check;

import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * How {@link CheckService} puts a {@link CheckReply} on the wire: its kept bytes when it has them,
 * otherwise its message through gRPC's own protobuf marshaller. The bytes on the wire are the same
 * either way (the kept bytes are that message's encoding), so Envoy and every client see an ordinary
 * {@code CheckResponse}.
 *
 * <p>The kept bytes go out as a stream that tells gRPC its length ({@link KnownLength}) and writes
 * itself in one call ({@link Drainable}): gRPC then frames the message with one copy of the bytes,
 * as it does for a protobuf message.
 */
final class CheckReplyMarshaller implements MethodDescriptor.Marshaller<CheckReply> {

    private static final MethodDescriptor.Marshaller<CheckResponse> PROTOBUF =
            ProtoUtils.marshaller(CheckResponse.getDefaultInstance());

    @Override
    public InputStream stream(CheckReply reply) {
        byte[] bytes = reply.encoded();
        return bytes == null ? PROTOBUF.stream(reply.response()) : new EncodedStream(bytes);
    }

    /** Not used by the server, which only sends replies; here for a client of this method descriptor. */
    @Override
    public CheckReply parse(InputStream stream) {
        return CheckReply.of(PROTOBUF.parse(stream));
    }

    /** A read-once stream over kept bytes; confined to the transport thread that sends it. */
    static final class EncodedStream extends InputStream implements KnownLength, Drainable {
        private final byte[] bytes;
        private int position;

        EncodedStream(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int remaining = bytes.length - position;
            target.write(bytes, position, remaining);
            position = bytes.length;
            return remaining;
        }

        @Override
        public int available() {
            return bytes.length - position;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            java.util.Objects.checkFromIndexSize(offset, length, target.length);
            if (length == 0) {
                return 0;
            }
            int remaining = bytes.length - position;
            if (remaining == 0) {
                return -1;
            }
            int n = Math.min(length, remaining);
            System.arraycopy(bytes, position, target, offset, n);
            position += n;
            return n;
        }
    }
}
