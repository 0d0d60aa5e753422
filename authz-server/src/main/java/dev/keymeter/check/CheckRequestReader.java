package dev.keymeter.check;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

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
 * bounds the body) so that they can be looked at again after a failed parse.
 */
final class CheckRequestReader implements MethodDescriptor.Marshaller<IncomingCheck> {

    private static final MethodDescriptor.Marshaller<CheckRequest> PROTOBUF =
            ProtoUtils.marshaller(CheckRequest.getDefaultInstance());

    /** Only for a client of this method descriptor: the server never sends requests. */
    @Override
    public InputStream stream(IncomingCheck value) {
        return PROTOBUF.stream(value.request());
    }

    @Override
    public IncomingCheck parse(InputStream stream) {
        byte[] bytes;
        try {
            bytes = stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the transport failed: no request to decide on
        }
        try {
            return IncomingCheck.of(CheckRequest.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            return UnreadableRequests.read(bytes);
        }
    }
}
