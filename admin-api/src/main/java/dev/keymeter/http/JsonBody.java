package dev.keymeter.http;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A request's JSON body: at most {@value #MAX_BYTES} bytes (more is 413, whatever Content-Length
 * claims), {@code application/json}, one JSON object read strictly (no comments, single quotes or
 * trailing data). An empty body is an empty object.
 */
final class JsonBody {

    static final int MAX_BYTES = 1 << 20;
    private static final Gson GSON = new Gson();

    private JsonBody() {
    }

    static JsonObject read(HttpExchange exchange) throws IOException {
        String text = text(exchange);
        if (text.isBlank()) {
            return new JsonObject();
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).strip().startsWith("application/json")) {
            throw new HttpRefusal(415, Status.Code.INVALID_ARGUMENT.name(),
                    "Content-Type: a request body must be application/json, was " + (type == null ? "absent" : type));
        }
        return parse(text);
    }

    static JsonObject parse(String text) {
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = GSON.getAdapter(JsonElement.class).read(reader);
            if (!ended(reader)) {
                throw invalid("malformed JSON: data after the object");
            }
            if (!element.isJsonObject()) {
                throw invalid("expected a JSON object, was " + (element.isJsonNull() ? "null" : element.isJsonArray()
                        ? "an array" : "a " + (element.getAsJsonPrimitive().isString() ? "string" : "value")));
            }
            return element.getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw invalid(malformed(firstLine(e.getMessage())));
        }
    }

    /** Whether nothing follows the value (a strict reader refuses a second value when asked). */
    private static boolean ended(JsonReader reader) {
        try {
            return reader.peek() == JsonToken.END_DOCUMENT;
        } catch (IOException e) {
            return false;
        }
    }

    private static String text(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.strip().matches("[0-9]{1,18}") && Long.parseLong(length.strip()) > MAX_BYTES) {
            throw tooLarge();
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw tooLarge();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static HttpRefusal tooLarge() {
        return new HttpRefusal(413, Status.Code.RESOURCE_EXHAUSTED.name(),
                "request body: larger than " + (MAX_BYTES >> 20) + " MiB");
    }

    private static HttpRefusal invalid(String why) {
        return HttpRefusal.of(Status.Code.INVALID_ARGUMENT, "request body: " + why);
    }

    /** Gson's message without its advice to parse leniently (we will not): what and where. */
    private static String malformed(String message) {
        String where = message.replaceFirst("^Use JsonReader\\.set\\w+\\([^)]*\\) to accept malformed JSON ?", "");
        return where.startsWith("at ") ? "malformed JSON " + where : "malformed JSON: " + where;
    }

    /** Gson appends a troubleshooting link on a second line: the first says what and where. */
    static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
