package dev.keymeter.check;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Check requests as wire bytes, made from fuzz input: a method, a path, headers (in
 * {@code attributes.request.http.headers} or as {@code header_map} raw bytes), a token that is a stored
 * key's, a mutation of one or anything else, a body, a content-length, per-route data, and sometimes a
 * header whose value is not valid UTF-8 (which no {@link CheckRequest} builder can hold, so it is
 * appended as encoded fields: protobuf merges concatenated messages).
 */
final class FuzzedCheckRequests {

    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    private static final String[] PATHS = {"/v1/chat/completions", "/v1/completions", "/v1/models", "/v1/models/gpt-4o",
        "/v1/embeddings", "/v1/files", "/v1/files/file_1", "/v1/projects/proj_1", "/v1/knowledge-bases/kb",
        "/v1/models/%2e%2e/chat/completions", "/v1/models/../chat/completions", "/v1\\models", "/", ""};
    private static final String[] HEADER_NAMES = {"authorization", "x-api-key", "content-length", "content-type",
        "x-keymeter-key-id", "x-keymeter-project-id", ":authority", "cookie"};
    private static final String[] SCHEMES = {"Bearer ", "bearer ", "", "Basic ", "Bearer  ", "BEARER "};
    /**
     * {@code -Dkeymeter.fuzz.skip-invalid-utf8=true} leaves out the header that is not valid UTF-8, so
     * that a long run explores past that known finding (see CheckFuzzTest) while it is open.
     */
    private static final boolean INVALID_UTF8 = !Boolean.getBoolean("keymeter.fuzz.skip-invalid-utf8");

    private FuzzedCheckRequests() {
    }

    /** The encoded request; {@code tokens} are the tokens of stored keys (valid or not). */
    static byte[] from(FuzzedDataProvider data, List<String> tokens) {
        String method = data.consumeBoolean() ? data.pickValue(METHODS) : data.consumeString(8);
        String path = data.pickValue(PATHS) + (data.consumeBoolean() ? data.consumeString(40) : "");
        boolean raw = data.consumeBoolean();
        AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder();
        HeaderMap.Builder map = HeaderMap.newBuilder();
        header(http, map, raw, ":method", method);
        header(http, map, raw, ":path", path);
        if (!raw || data.consumeBoolean()) {
            http.setMethod(method).setPath(path);
        }
        int headers = data.consumeInt(0, 6);
        for (int i = 0; i < headers; i++) {
            String name = data.consumeBoolean() ? data.pickValue(HEADER_NAMES) : data.consumeString(12);
            boolean carriesToken = name.equals("authorization") || name.equals("x-api-key");
            String value = carriesToken ? data.pickValue(SCHEMES) + token(data, tokens) : data.consumeString(40);
            header(http, map, raw, name, value);
        }
        if (raw) {
            http.setHeaderMap(map);
        }
        AttributeContext.Builder attributes = AttributeContext.newBuilder();
        if (data.consumeBoolean()) {
            attributes.putContextExtensions("resource", data.consumeString(20));
            if (data.consumeBoolean()) {
                attributes.putContextExtensions("access", data.consumeBoolean() ? "read" : data.consumeString(8));
            }
        }
        http.setSize(data.consumeBoolean() ? data.consumeLong() : data.consumeLong(-1, 1 << 20));
        byte[] badHeader = data.consumeBoolean() && INVALID_UTF8 ? data.consumeBytes(16) : null;
        byte[] body = data.consumeRemainingAsBytes();
        if (data.consumeBoolean()) {
            http.setRawBody(ByteString.copyFrom(body));
        } else {
            http.setBody(new String(body, StandardCharsets.UTF_8));
        }
        CheckRequest request = CheckRequest.newBuilder()
                .setAttributes(attributes.setRequest(AttributeContext.Request.newBuilder().setHttp(http)))
                .build();
        return badHeader == null ? request.toByteArray() : concat(request.toByteArray(), rawHeader(badHeader));
    }

    /** A stored token as it is (about half the time), or changed: one character, cut, extended, upper-cased. */
    private static String token(FuzzedDataProvider data, List<String> tokens) {
        if (tokens.isEmpty() || data.consumeInt(0, 7) == 0) {
            return data.consumeString(80);
        }
        String token = data.pickValue(tokens);
        return switch (data.consumeInt(0, 7)) {
            case 0 -> token.substring(0, data.consumeInt(0, token.length()));
            case 1 -> token + data.consumeString(4);
            case 2 -> {
                int at = data.consumeInt(0, token.length() - 1);
                yield token.substring(0, at) + data.consumeChar() + token.substring(at + 1);
            }
            case 3 -> token.toUpperCase(Locale.ROOT);
            default -> token;
        };
    }

    private static void header(AttributeContext.HttpRequest.Builder http, HeaderMap.Builder map, boolean raw,
            String name, String value) {
        if (raw) {
            map.addHeaders(HeaderValue.newBuilder().setKey(name)
                    .setRawValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)));
        } else {
            http.putHeaders(name, value);
        }
    }

    /**
     * {@code attributes.request.http.headers["x-fuzz"] = value} with {@code value} as raw bytes (invalid
     * UTF-8 included), encoded by hand with the messages' own field numbers.
     */
    private static byte[] rawHeader(byte[] value) {
        byte[] entry = message(1, "x-fuzz".getBytes(StandardCharsets.US_ASCII), 2, value);
        byte[] http = message(field(AttributeContext.HttpRequest.getDescriptor(), "headers"), entry);
        byte[] request = message(field(AttributeContext.Request.getDescriptor(), "http"), http);
        byte[] attributes = message(field(AttributeContext.getDescriptor(), "request"), request);
        return message(field(CheckRequest.getDescriptor(), "attributes"), attributes);
    }

    private static int field(com.google.protobuf.Descriptors.Descriptor type, String name) {
        return type.findFieldByName(name).getNumber();
    }

    /** Length-delimited fields: (number, bytes) pairs. */
    private static byte[] message(Object... numbersAndValues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        try {
            for (int i = 0; i < numbersAndValues.length; i += 2) {
                coded.writeByteArray((Integer) numbersAndValues[i], (byte[]) numbersAndValues[i + 1]);
            }
            coded.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
