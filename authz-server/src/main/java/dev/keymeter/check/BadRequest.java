package dev.keymeter.check;

import com.google.rpc.Code;
import com.google.rpc.Status;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;

/**
 * A request refused with 400 before anything else is looked at: it cannot be read as it is (a header
 * that is not UTF-8, bytes that are not a {@code CheckRequest}) or its path is one no route may be
 * matched against (encoded dot-segments, a backslash).
 *
 * @param message what the client is told; names the header or the path problem, never a value
 * @param code    the OpenAI-style error code ({@code invalid_header}, {@code invalid_path}, …)
 * @param logLine what the log may say about it (the same safety: no value, no token); null: not logged
 */
record BadRequest(String message, String code, String logLine) {

    /** Header names printed as they are: RFC 9110 token characters, and short. Others are not quoted. */
    private static final int MAX_NAME = 64;

    /** A header whose value (or, with {@code name} null, whose name) is not valid UTF-8. */
    static BadRequest headerNotUtf8(String name) {
        String which = printable(name) ? "header \"" + name + "\"" : "a header name";
        String message = (printable(name) ? "The value of header \"" + name + "\"" : "A header name")
                + " is not valid UTF-8. Send text headers as UTF-8 (or ASCII).";
        return new BadRequest(message, "invalid_header", "Check refused a request (400): " + which
                + " is not valid UTF-8");
    }

    /** A field of the request other than the headers and the body (e.g. {@code path}) that is not UTF-8. */
    static BadRequest fieldNotUtf8(String field) {
        return new BadRequest("The request " + field + " is not valid UTF-8.", "invalid_request",
                "Check refused a request (400): its " + field + " is not valid UTF-8");
    }

    /** Bytes that are not a {@code CheckRequest} at all. */
    static BadRequest unreadable() {
        return new BadRequest("The request could not be read.", "invalid_request",
                "Check refused a request (400): not a readable CheckRequest");
    }

    /** A path no route may be matched against; {@code problem} says why, e.g. "holds an encoded dot-segment". */
    static BadRequest path(String problem) {
        return new BadRequest("The request path " + problem + ".", "invalid_path", null);
    }

    /** The 400 Envoy sends back. */
    CheckResponse response() {
        return response(null);
    }

    /** The 400 Envoy sends back, naming the key in the dynamic metadata when it is known ({@code keyId} not null). */
    CheckResponse response(String keyId) {
        DeniedHttpResponse denied = DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCode(StatusCode.BadRequest))
                .addHeaders(Headers.overwrite(Headers.CONTENT_TYPE, "application/json"))
                .setBody(JsonError.body(message, "invalid_request_error", code))
                .build();
        return CheckResponse.newBuilder()
                .setStatus(Status.newBuilder().setCode(Code.INVALID_ARGUMENT.getNumber()))
                .setDeniedResponse(denied)
                .setDynamicMetadata(DynamicMetadata.denial(DenialReason.MALFORMED_REQUEST, keyId))
                .build();
    }

    private static boolean printable(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~:".indexOf(c) >= 0;
            if (!token) {
                return false;
            }
        }
        return true;
    }
}
