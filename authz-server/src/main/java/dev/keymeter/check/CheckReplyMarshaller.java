package dev.keymeter.check;

import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * How {@link CheckService} puts a {@link CheckReply} on the wire: its kept bytes when it has them,
 * otherwise its message through gRPC's own protobuf marshaller. Envoy and every client see an
 * ordinary {@code CheckResponse} either way: the kept bytes are that message's encoding.
 *
 * <p>The kept bytes (and a model variant's suffix, {@link CheckReply#withModel}) go out as a stream
 * that tells gRPC its length ({@link KnownLength}) and writes itself in one call ({@link Drainable}):
 * gRPC then frames the message with one copy of the bytes, as it does for a protobuf message.
 */
final class CheckReplyMarshaller implements MethodDescriptor.Marshaller<CheckReply> {

    private static final MethodDescriptor.Marshaller<CheckResponse> PROTOBUF =
            ProtoUtils.marshaller(CheckResponse.getDefaultInstance());

    @Override
    public InputStream stream(CheckReply reply) {
        byte[] bytes = reply.encoded();
        return bytes == null ? PROTOBUF.stream(reply.response()) : new EncodedStream(bytes, reply.suffix());
    }

    /** Not used by the server, which only sends replies; here for a client of this method descriptor. */
    @Override
    public CheckReply parse(InputStream stream) {
        return CheckReply.of(PROTOBUF.parse(stream));
    }

    /**
     * A read-once stream over kept bytes and a suffix (empty unless the reply is a model variant);
     * confined to the transport thread that sends it.
     */
    static final class EncodedStream extends InputStream implements KnownLength, Drainable {
        private final byte[] head;
        private final byte[] tail;
        /** Bytes already read, over head then tail. */
        private int position;

        EncodedStream(byte[] head, byte[] tail) {
            this.head = head;
            this.tail = tail;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int remaining = available();
            if (position < head.length) {
                target.write(head, position, head.length - position);
                target.write(tail, 0, tail.length);
            } else {
                target.write(tail, position - head.length, remaining);
            }
            position = head.length + tail.length;
            return remaining;
        }

        @Override
        public int available() {
            return head.length + tail.length - position;
        }

        @Override
        public int read() {
            if (position < head.length) {
                return head[position++] & 0xff;
            }
            return position < head.length + tail.length ? tail[position++ - head.length] & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, target.length);
            if (length == 0) {
                return 0;
            }
            if (available() == 0) {
                return -1;
            }
            int n;
            if (position < head.length) {
                n = Math.min(length, head.length - position);
                System.arraycopy(head, position, target, offset, n);
            } else {
                n = Math.min(length, available());
                System.arraycopy(tail, position - head.length, target, offset, n);
            }
            position += n;
            return n;
        }
    }
}
