package dev.keymeter.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Calls the gRPC admin service with a filled request and the caller's key as {@code authorization:
 * Bearer} metadata, over the in-process channel to a server that runs the network server's
 * interceptors; gives back the response as proto3 JSON. A gRPC error becomes an {@link HttpRefusal}
 * with the status's own description (the service already made it safe to show).
 */
final class Transcoder {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> PEER = Metadata.Key.of(JsonApi.PEER_METADATA,
            Metadata.ASCII_STRING_MARSHALLER);
    private static final long DEADLINE_SECONDS = 30;
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer();

    private final Channel channel;

    Transcoder(Channel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    String callAsJson(MethodDescriptor<?, ?> rpc, Message request, Optional<String> token, String peer) {
        Message response = call(rpc, request, token, peer);
        try {
            return PRINTER.print(response);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print a " + rpc.getBareMethodName() + " response: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    <R extends Message> R call(MethodDescriptor<?, ?> rpc, Message request, Optional<String> token, String peer) {
        Metadata headers = new Metadata();
        token.ifPresent(t -> headers.put(AUTHORIZATION, "Bearer " + t));
        if (peer != null) {
            headers.put(PEER, peer);
        }
        Channel authed = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        MethodDescriptor<Message, R> typed = (MethodDescriptor<Message, R>) rpc;
        try {
            return ClientCalls.blockingUnaryCall(authed, typed,
                    CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS), request);
        } catch (StatusRuntimeException e) {
            String description = e.getStatus().getDescription();
            throw HttpRefusal.of(e.getStatus().getCode(),
                    description == null ? e.getStatus().getCode().name().toLowerCase(java.util.Locale.ROOT) : description);
        }
    }
}
