package dev.keymeter.http;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real control plane (SQLite in a temp dir, gRPC and the HTTP listener on free loopback ports) and
 * a real {@link HttpClient}; requests carry a given admin key as {@code Authorization: Bearer}.
 */
final class HttpHarness implements AutoCloseable {

    final ControlPlane controlPlane;
    final String adminToken;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    HttpHarness(Path dataDir) throws IOException {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dataDir).withPort(0)
                .withConsoleAddress(new InetSocketAddress("127.0.0.1", 0)));
        adminToken = controlPlane.bootstrapKey().orElseThrow().token();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + controlPlane.consolePort() + pathAndQuery);
    }

    /** {@code method path} with {@code token} ({@code null}: no Authorization) and a JSON body ({@code null}: none). */
    HttpResponse<String> send(String method, String path, String token, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path, String token) {
        return send("GET", path, token, null);
    }

    /** As the admin, expecting 200; the body as JSON. */
    JsonObject ok(String method, String path, String json) {
        return ok(method, path, adminToken, json);
    }

    JsonObject ok(String method, String path, String token, String json) {
        HttpResponse<String> r = send(method, path, token, json);
        assertEquals(200, r.statusCode(), () -> method + " " + path + ": " + r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    /** The error object of a refused request, after checking its status and the body's code. */
    static JsonObject error(HttpResponse<String> r, int status, String grpcStatus) {
        assertEquals(status, r.statusCode(), r::body);
        JsonObject error = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("error");
        assertEquals(status, error.get("code").getAsInt(), r::body);
        assertEquals(grpcStatus, error.get("status").getAsString(), r::body);
        return error;
    }

    @Override
    public void close() {
        controlPlane.close();
    }
}
