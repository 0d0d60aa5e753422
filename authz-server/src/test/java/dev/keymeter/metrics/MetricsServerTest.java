package dev.keymeter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.check.DenialReason;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.Resource;
import dev.keymeter.routes.ResourceAccess;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP endpoints of a real {@link MetricsServer} on a free port, over a real Prometheus registry. */
class MetricsServerTest {

    private static final ResourceAccess CHAT = ResourceAccess.of(Resource.CHAT_COMPLETIONS, AccessLevel.WRITE);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicBoolean ready = new AtomicBoolean();
    private CheckMetrics checks;
    private MetricsServer server;

    @BeforeEach
    void start() throws IOException {
        checks = new CheckMetrics(registry);
        server = new MetricsServer("127.0.0.1", 0, registry, ready::get, checks::flush);
    }

    @AfterEach
    void stop() {
        server.close();
        registry.close();
    }

    @Test
    void metrics_fresh_listsEveryCheckSeriesAtZero() {
        HttpResponse<String> response = Scrape.request(server, "GET", "/metrics");
        assertEquals(200, response.statusCode());
        assertEquals(MetricsServer.METRICS_CONTENT_TYPE, response.headers().firstValue("content-type").orElseThrow());
        Map<String, Double> series = Scrape.series(response.body());
        assertEquals(0.0, series.get(Scrape.checks("allowed", "none")));
        assertEquals(0.0, series.get(Scrape.checks("not_ready", "none")));
        assertEquals(0.0, series.get(Scrape.checks("error", "none")));
        for (DenialReason reason : DenialReason.values()) {
            assertEquals(0.0, series.get(Scrape.checks("denied", reason.label())), reason.label());
        }
        assertEquals(3 + DenialReason.values().length, count(series, "keymeter_checks_total{"));
        assertEquals(0.0, series.get("keymeter_key_requests_total{key_id=\"_other\"}"));
        assertEquals(0.0, series.get("keymeter_check_duration_seconds_count"));
        assertTrue(series.containsKey("keymeter_check_duration_seconds_bucket{le=\"5.0E-5\"}"), series::toString);
        assertTrue(series.containsKey("keymeter_check_duration_seconds_bucket{le=\"0.1\"}"), series::toString);
    }

    @Test
    void metrics_afterDecisions_countsEachOutcomeExactly() {
        checks.allowed("key_a", CHAT);
        checks.allowed("key_a", CHAT);
        checks.allowed("key_b", CHAT);
        checks.denied(DenialReason.UNKNOWN_KEY, null);
        checks.denied(DenialReason.REVOKED, "key_c");
        checks.denied(DenialReason.REVOKED, "key_c");
        checks.notReady();
        checks.failed(new IllegalStateException("replica unreadable"));
        checks.recordLatencyNanos(TimeUnit.MICROSECONDS.toNanos(80));
        checks.recordLatencyNanos(TimeUnit.MILLISECONDS.toNanos(3));

        // A new key's series starts at 0, so that rate() and increase() count its first step.
        Map<String, Double> first = Scrape.series(server);
        assertEquals(0.0, first.get("keymeter_key_requests_total{key_id=\"key_a\"}"));
        assertEquals(0.0, first.get("keymeter_key_requests_total{key_id=\"key_b\"}"));
        assertEquals(3.0, first.get(Scrape.checks("allowed", "none")), "fixed series count at once");
        Map<String, Double> series = Scrape.series(server);
        assertEquals(3.0, series.get(Scrape.checks("allowed", "none")));
        assertEquals(1.0, series.get(Scrape.checks("denied", "unknown_key")));
        assertEquals(2.0, series.get(Scrape.checks("denied", "revoked")));
        assertEquals(0.0, series.get(Scrape.checks("denied", "disabled")));
        assertEquals(1.0, series.get(Scrape.checks("not_ready", "none")));
        assertEquals(1.0, series.get(Scrape.checks("error", "none")));
        assertEquals(2.0, series.get("keymeter_key_requests_total{key_id=\"key_a\"}"));
        assertEquals(1.0, series.get("keymeter_key_requests_total{key_id=\"key_b\"}"));
        assertEquals(null, series.get("keymeter_key_requests_total{key_id=\"key_c\"}"), "denials add no key series");
        assertEquals(2.0, series.get("keymeter_check_duration_seconds_count"));
        assertEquals(1.0, series.get("keymeter_check_duration_seconds_bucket{le=\"1.0E-4\"}"));
        assertEquals(2.0, series.get("keymeter_check_duration_seconds_bucket{le=\"0.005\"}"));
    }

    /**
     * Check threads log their allowed requests per key; a scrape first counts what they logged, so it
     * sees every request decided before it, including those counted at once because a log was full.
     */
    @Test
    void metrics_allowedOnManyThreads_everyRequestCountedByTheNextScrape() throws Exception {
        int threads = 4;
        int perThread = 3 * CheckMetrics.LOG_CAPACITY; // each log fills: some requests are counted at once
        Thread[] checkThreads = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            String keyId = "key_" + (t % 2);
            checkThreads[t] = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    checks.allowed(keyId, CHAT);
                }
            });
            checkThreads[t].start();
        }
        for (Thread t : checkThreads) {
            t.join();
        }
        assertEquals(0.0, Scrape.series(server).get("keymeter_key_requests_total{key_id=\"key_0\"}"), "the start");
        Map<String, Double> series = Scrape.series(server);
        assertEquals(2.0 * perThread, series.get("keymeter_key_requests_total{key_id=\"key_0\"}"));
        assertEquals(2.0 * perThread, series.get("keymeter_key_requests_total{key_id=\"key_1\"}"));
        assertEquals(4.0 * perThread, series.get(Scrape.checks("allowed", "none")));
        assertEquals(0, checks.flush(), "the scrape counted everything logged");
    }

    @Test
    void readyz_supplierFlips_answers503Then200() {
        HttpResponse<String> notReady = Scrape.request(server, "GET", "/readyz");
        assertEquals(503, notReady.statusCode());
        assertEquals("not ready\n", notReady.body());
        ready.set(true);
        HttpResponse<String> isReady = Scrape.request(server, "GET", "/readyz");
        assertEquals(200, isReady.statusCode());
        assertEquals("ready\n", isReady.body());
    }

    @Test
    void healthz_running_is200Ok() {
        HttpResponse<String> response = Scrape.request(server, "GET", "/healthz");
        assertEquals(200, response.statusCode());
        assertEquals("ok\n", response.body());
    }

    @Test
    void head_metrics_is200WithNoBody() {
        HttpResponse<String> response = Scrape.request(server, "HEAD", "/metrics");
        assertEquals(200, response.statusCode());
        assertEquals("", response.body());
    }

    @Test
    void get_unknownPath_is404() {
        assertEquals(404, Scrape.request(server, "GET", "/").statusCode());
        assertEquals(404, Scrape.request(server, "GET", "/metrics/extra").statusCode());
    }

    @Test
    void post_metrics_is405WithAllow() {
        HttpResponse<String> response = Scrape.request(server, "POST", "/metrics");
        assertEquals(405, response.statusCode());
        assertEquals("GET, HEAD", response.headers().firstValue("allow").orElseThrow());
        assertEquals(405, Scrape.request(server, "DELETE", "/healthz").statusCode());
    }

    @Test
    void port_zero_bindsAFreeLoopbackPort() {
        assertTrue(server.port() > 0);
        assertEquals(9464, MetricsServer.DEFAULT_PORT);
        assertEquals("127.0.0.1", MetricsServer.DEFAULT_HOST);
    }

    private static long count(Map<String, Double> series, String prefix) {
        return series.keySet().stream().filter(s -> s.startsWith(prefix)).count();
    }
}
