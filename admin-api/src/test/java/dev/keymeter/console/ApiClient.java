package dev.keymeter.console;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The JSON admin API with a bearer key, for setting up and checking what the browser tests do. */
public final class ApiClient {

    private final HttpClient http = HttpClient.newHttpClient();
    private final String origin;
    private final String key;

    public ApiClient(String origin, String key) {
        this.origin = origin;
        this.key = key;
    }

    /** The answer's JSON; fails the test on any status but 200. */
    public JsonObject call(String method, String path, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(origin + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body().isBlank() ? new JsonObject() : JsonParser.parseString(response.body()).getAsJsonObject();
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public JsonObject get(String path) {
        return call("GET", path, null);
    }

    public JsonObject post(String path, String json) {
        return call("POST", path, json);
    }

    /** A project key of {@code project} (service account) with {@code permissions} and {@code limits} JSON. */
    public JsonObject createKey(String name, String project, String permissions, String limits) {
        return post("/v1/keys", "{\"name\": \"" + name + "\", \"kind\": \"KEY_KIND_PROJECT\", \"projectId\": \"" + project
                + "\", \"ownerType\": \"OWNER_TYPE_SERVICE_ACCOUNT\", \"permissions\": " + permissions
                + ", \"limits\": " + limits + "}");
    }
}
