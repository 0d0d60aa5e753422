package dev.keymeter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.keymeter.check.DenialReason;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Design §6 and issue 5: what a client sends never becomes a series. Real decisions (the real
 * {@code Authorizer} over a real Chronicle replica) reported to {@link CheckMetrics}, scraped over
 * HTTP from a real {@link MetricsServer}.
 */
class ClientInputSeriesTest {

    private static final int TOKENS = 100_000;
    private static final String MAX_LENGTH_PLUS_ONE = "x".repeat(513);

    @TempDir
    Path dir;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private CheckPath path;
    private MetricsServer server;

    @BeforeEach
    void start() throws IOException {
        CheckMetrics checks = new CheckMetrics(registry, 3);
        path = new CheckPath(dir, checks);
        server = new MetricsServer("127.0.0.1", 0, registry, path.replica::isLoaded, checks::flush);
    }

    @AfterEach
    void stop() {
        server.close();
        path.close();
        registry.close();
    }

    @Test
    void check_100kDistinctInvalidTokens_addsNoSeriesAndCountsEveryOne() {
        Map<String, Double> before = Scrape.series(server);

        for (int i = 0; i < TOKENS; i++) {
            path.authorizer.check(invalid(i));
        }

        String text = Scrape.text(server);
        Map<String, Double> after = Scrape.series(text);
        assertEquals(before.keySet(), after.keySet());
        assertEquals(TOKENS / 2, after.get(Scrape.checks("denied", DenialReason.UNKNOWN_KEY.label())));
        assertEquals(TOKENS / 4, after.get(Scrape.checks("denied", DenialReason.MALFORMED_TOKEN.label())));
        assertEquals(TOKENS / 4, after.get(Scrape.checks("denied", DenialReason.TOKEN_TOO_LONG.label())));
        assertEquals(0.0, after.get(Scrape.checks("allowed", "none")));
        assertFalse(text.contains("kmu_") || text.contains("sk-") || text.contains("xxxx"), "no token in the scrape");
    }

    @Test
    void check_moreKeysThanTheCap_foldsTheRestIntoOther() {
        for (int k = 1; k <= 5; k++) {
            String token = path.addKey("key_" + k);
            path.authorizer.check(CheckPath.bearer(token));
            if (k == 1 || k == 5) {
                path.authorizer.check(CheckPath.bearer(token));
            }
        }

        assertEquals(0.0, Scrape.series(server).get(keyRequests("key_1")), "every new series starts at 0");
        Map<String, Double> series = Scrape.series(server);
        assertEquals(2.0, series.get(keyRequests("key_1")));
        assertEquals(1.0, series.get(keyRequests("key_2")));
        assertEquals(1.0, series.get(keyRequests("key_3")));
        assertEquals(3.0, series.get(keyRequests("_other")), "key_4 once, key_5 twice");
        assertEquals(4, series.keySet().stream().filter(s -> s.startsWith("keymeter_key_requests_total")).count());
        assertEquals(7.0, series.get(Scrape.checks("allowed", "none")));
    }

    /** Four kinds, all distinct: unknown keymeter-shaped, bad checksum, unknown foreign, too long. */
    private static CheckRequest invalid(int i) {
        return switch (i % 4) {
            case 0 -> CheckPath.bearer(TokenFormat.generate(TokenType.USER));
            case 1 -> CheckPath.bearer(badChecksum(TokenFormat.generate(TokenType.USER)));
            case 2 -> CheckPath.chat("x-api-key", "sk-" + i + "-" + TokenFormat.randomBase62(20));
            default -> CheckPath.bearer(MAX_LENGTH_PLUS_ONE + i);
        };
    }

    private static String badChecksum(String token) {
        char last = token.charAt(token.length() - 1);
        return token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
    }

    private static String keyRequests(String keyId) {
        return "keymeter_key_requests_total{key_id=\"" + keyId + "\"}";
    }
}
