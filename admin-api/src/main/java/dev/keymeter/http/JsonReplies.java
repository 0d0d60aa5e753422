package dev.keymeter.http;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Sends JSON answers with the headers every API response carries: the content type, {@code no-store}
 * (answers hold key settings and, once, a token: no cache keeps them) and {@code nosniff}.
 */
final class JsonReplies {

    static final String JSON = "application/json; charset=utf-8";

    private JsonReplies() {
    }

    static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", JSON);
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** {@code {"error": {"code": 404, "status": "NOT_FOUND", "message": "…"}}}. */
    static void error(HttpExchange exchange, HttpRefusal refusal) throws IOException {
        send(exchange, refusal.httpStatus(), errorBody(refusal));
    }

    static String errorBody(HttpRefusal refusal) {
        JsonObject error = new JsonObject();
        error.addProperty("code", refusal.httpStatus());
        error.addProperty("status", refusal.grpcStatus());
        error.addProperty("message", refusal.getMessage());
        JsonObject body = new JsonObject();
        body.add("error", error);
        return body.toString();
    }
}
