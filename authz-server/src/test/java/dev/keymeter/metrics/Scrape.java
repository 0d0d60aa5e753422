package dev.keymeter.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** Reads a real {@link MetricsServer} over HTTP, and the Prometheus text it serves. */
final class Scrape {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private Scrape() {
    }

    static HttpResponse<String> request(MetricsServer server, String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static String text(MetricsServer server) {
        HttpResponse<String> response = request(server, "GET", "/metrics");
        if (response.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + response.statusCode());
        }
        return response.body();
    }

    /** Every sample of the exposition: {@code name{labels}} → value (comment lines skipped). */
    static Map<String, Double> series(String exposition) {
        Map<String, Double> out = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    static Map<String, Double> series(MetricsServer server) {
        return series(text(server));
    }

    static String checks(String decision, String reason) {
        return "keymeter_checks_total{decision=\"" + decision + "\",reason=\"" + reason + "\"}";
    }
}
