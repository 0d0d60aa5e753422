package dev.keymeter.console;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writing console responses, each with the {@link SecurityHeaders}. */
final class Replies {

    static final String JSON = "application/json; charset=utf-8";

    private Replies() {
    }

    /** Whether the listener speaks TLS: then the cookie is Secure. */
    static boolean tls(HttpExchange exchange) {
        return exchange instanceof HttpsExchange;
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body, boolean storable)
            throws IOException {
        SecurityHeaders.apply(exchange.getResponseHeaders(), storable);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : (body.length == 0 ? -1 : body.length));
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    static void json(HttpExchange exchange, int status, JsonObject body) throws IOException {
        send(exchange, status, JSON, body.toString().getBytes(StandardCharsets.UTF_8), false);
    }

    /** The JSON API's error shape, so that the console's scripts read one kind of error. */
    static void error(HttpExchange exchange, int status, String grpcStatus, String message) throws IOException {
        JsonObject error = new JsonObject();
        error.addProperty("code", status);
        error.addProperty("status", grpcStatus);
        error.addProperty("message", message);
        JsonObject body = new JsonObject();
        body.add("error", error);
        json(exchange, status, body);
    }

    static void noContent(HttpExchange exchange) throws IOException {
        SecurityHeaders.apply(exchange.getResponseHeaders(), false);
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    static void redirect(HttpExchange exchange, int status, String location) throws IOException {
        SecurityHeaders.apply(exchange.getResponseHeaders(), false);
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    static void methodNotAllowed(HttpExchange exchange, String allow) throws IOException {
        exchange.getResponseHeaders().set("Allow", allow);
        error(exchange, 405, "UNIMPLEMENTED", exchange.getRequestMethod() + " is not allowed on "
                + exchange.getRequestURI().getPath() + " (allowed: " + allow + ")");
    }
}
