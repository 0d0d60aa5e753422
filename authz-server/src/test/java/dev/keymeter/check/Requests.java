package dev.keymeter.check;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** CheckRequests as Envoy builds them, in either header encoding (design §4). */
final class Requests {

    private Requests() {
    }

    /** Headers in {@code attributes.request.http.headers} (lower-case names), as Envoy sends by default. */
    static CheckRequest withHeaders(String method, String path, Map<String, String> headers) {
        AttributeContext.HttpRequest http = AttributeContext.HttpRequest.newBuilder()
                .setMethod(method).setPath(path).putAllHeaders(headers)
                .putHeaders(":method", method).putHeaders(":path", path)
                .build();
        return of(http, AttributeContext.newBuilder());
    }

    /**
     * Headers in {@code header_map} with {@code raw_value} bytes (gRPC clients, {@code encode_raw_headers}),
     * and {@code method} / {@code path} left empty so that Check reads the pseudo-headers.
     */
    static CheckRequest withRawHeaders(String method, String path, String... namesAndValues) {
        HeaderMap.Builder map = HeaderMap.newBuilder()
                .addHeaders(raw(":method", method))
                .addHeaders(raw(":path", path));
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.addHeaders(raw(namesAndValues[i], namesAndValues[i + 1]));
        }
        return of(AttributeContext.HttpRequest.newBuilder().setHeaderMap(map).build(), AttributeContext.newBuilder());
    }

    static CheckRequest bearer(String method, String path, String token) {
        return withHeaders(method, path, Map.of("authorization", "Bearer " + token));
    }

    /** {@code request} with per-route data added to its attributes. */
    static CheckRequest withAttributes(CheckRequest request, AttributeContext.Builder extra) {
        return request.toBuilder().setAttributes(request.getAttributes().toBuilder().mergeFrom(extra.build())).build();
    }

    private static HeaderValue raw(String name, String value) {
        return HeaderValue.newBuilder().setKey(name)
                .setRawValue(ByteString.copyFrom(value, StandardCharsets.ISO_8859_1)).build();
    }

    private static CheckRequest of(AttributeContext.HttpRequest http, AttributeContext.Builder attributes) {
        return CheckRequest.newBuilder()
                .setAttributes(attributes.setRequest(AttributeContext.Request.newBuilder().setHttp(http)))
                .build();
    }
}
