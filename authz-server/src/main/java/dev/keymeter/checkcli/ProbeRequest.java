package dev.keymeter.checkcli;

import java.nio.charset.StandardCharsets;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one request {@code keymeter check} asks about, shaped as Envoy's ext_authz filter sends it:
 * pseudo-headers and headers in lower case, the body as text (the shipped envoy.yaml's
 * {@code with_request_body}, without {@code pack_as_bytes}), and the token in the header the sidecar reads.
 */
record ProbeRequest(String method, String path, Map<String, String> headers, byte[] body) {

    ProbeRequest {
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body.clone();
    }

    /**
     * With {@code token} in {@code tokenHeader}: {@code authorization} carries {@code Bearer <token>},
     * any other header the token alone. Headers given explicitly win over the token's.
     */
    static ProbeRequest of(String method, String path, String tokenHeader, String token,
            Map<String, String> headers, byte[] body) {
        Map<String, String> all = new LinkedHashMap<>();
        if (token != null) {
            String name = tokenHeader.toLowerCase(Locale.ROOT);
            all.put(name, name.equals("authorization") ? "Bearer " + token : token);
        }
        headers.forEach((k, v) -> all.put(k.toLowerCase(Locale.ROOT), v));
        return new ProbeRequest(method.toUpperCase(Locale.ROOT), path, all, body);
    }

    CheckRequest toCheckRequest() {
        AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder()
                .setMethod(method).setPath(path).setProtocol("HTTP/1.1")
                .putHeaders(":method", method).putHeaders(":path", path)
                .putAllHeaders(headers);
        if (body.length > 0) {
            http.setBody(new String(body, StandardCharsets.UTF_8)).setSize(body.length);
            http.putHeaders("content-length", Integer.toString(body.length));
        }
        return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.newBuilder().setHttp(http))).build();
    }

    /** Never the token: for messages. */
    @Override
    public String toString() {
        return method + " " + path;
    }
}
