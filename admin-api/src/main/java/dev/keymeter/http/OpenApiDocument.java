package dev.keymeter.http;

import com.sun.net.httpserver.HttpExchange;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.0 document of the JSON API, written by hand beside the
 * route table ({@code keymeter/openapi.json} in the jar) and held to it by a test.
 */
public final class OpenApiDocument implements HttpMount {

    public static final String PATH = "/openapi.json";
    static final String RESOURCE = "/keymeter/openapi.json";

    private final String document;

    public OpenApiDocument() {
        this.document = load();
    }

    static String load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String prefix() {
        return PATH;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (!PATH.equals(path)) {
            throw HttpRefusal.of(Status.Code.NOT_FOUND, "no such path: " + path);
        }
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET");
            throw new HttpRefusal(405, Status.Code.UNIMPLEMENTED.name(),
                    exchange.getRequestMethod() + " " + PATH + ": method not allowed; allowed: GET");
        }
        JsonReplies.send(exchange, 200, document);
    }
}
