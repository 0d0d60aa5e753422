package dev.keymeter.admin;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests the service cannot read (a string field that is not UTF-8, truncated bytes) refused as
 * INVALID_ARGUMENT. Left to gRPC, the parse failure escapes into its executor: the caller gets
 * UNKNOWN and the log a SEVERE stack trace per request, which any client could repeat at will.
 *
 * <p>Each method takes its request as bytes and parses it here, with the method's own marshaller,
 * before the service sees it; a request that does not parse closes the call and reaches nothing.
 */
final class UnreadableRequests {

    private UnreadableRequests() {
    }

    /** {@code service} with every method's request parsed here first. */
    static ServerServiceDefinition refused(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<byte[], ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            methods.add(raw(method));
        }
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
        ServerServiceDefinition.Builder rebuilt = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(rebuilt::addMethod);
        return rebuilt.build();
    }

    private static <Q, R> ServerMethodDefinition<byte[], R> raw(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> typed = method.getMethodDescriptor();
        MethodDescriptor<byte[], R> bytes = typed.toBuilder(BYTES, typed.getResponseMarshaller()).build();
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        return ServerMethodDefinition.create(bytes, (call, headers) -> parsing(typed, handler, call, headers));
    }

    private static <Q, R> ServerCall.Listener<byte[]> parsing(MethodDescriptor<Q, R> typed, ServerCallHandler<Q, R> handler,
            ServerCall<byte[], R> call, Metadata headers) {
        ServerCall<Q, R> typedCall = new ForwardingServerCall.SimpleForwardingServerCall<Q, R>(cast(call)) {
            @Override
            public MethodDescriptor<Q, R> getMethodDescriptor() {
                return typed;
            }
        };
        ServerCall.Listener<Q> next = handler.startCall(typedCall, headers);
        return new ServerCall.Listener<>() {
            private boolean refused;

            @Override
            public void onMessage(byte[] message) {
                if (refused) {
                    return;
                }
                Q request;
                try {
                    request = typed.parseRequest(new ByteArrayInputStream(message));
                } catch (RuntimeException e) {
                    refused = true;
                    call.close(Status.INVALID_ARGUMENT.withDescription("request: not a readable "
                            + typed.getBareMethodName() + " request (a string field that is not UTF-8,"
                            + " or malformed protobuf)"), new Metadata());
                    return;
                }
                next.onMessage(request);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    next.onHalfClose();
                }
            }

            @Override
            public void onCancel() {
                next.onCancel();
            }

            @Override
            public void onComplete() {
                next.onComplete();
            }

            @Override
            public void onReady() {
                if (!refused) {
                    next.onReady();
                }
            }
        };
    }

    /** The call's request type is only the marshaller's: the typed call sends and closes as it does. */
    @SuppressWarnings("unchecked")
    private static <Q, R> ServerCall<Q, R> cast(ServerCall<byte[], R> call) {
        return (ServerCall<Q, R>) (ServerCall<?, R>) call;
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
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
    };
}
