package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import dev.keymeter.proto.usage.v1.ReportRequest;
import dev.keymeter.proto.usage.v1.UsageServiceGrpc;
import dev.keymeter.usage.PriceTableJson;
import dev.keymeter.usage.UsageSettings;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannelBuilder;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard against a real Prometheus ({@code prometheus} and {@code promtool} from the
 * Debian package that {@code .ci/test} installs) scraping a real sidecar every second, under traffic
 * that produces every kind of denial: every expression of the dashboard parses, returns data, and
 * shows what the traffic implies. The scrape itself passes {@code promtool check metrics}.
 */
class PrometheusDashboardTest extends SidecarProcesses {

    private static final Path DASHBOARD = Path.of("..", "envoy", "grafana", "keymeter-dashboard.json").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private int prometheusPort;

    @Test
    void dashboard_realPrometheusUnderEveryDenial_everyPanelHasTheValuesTheTrafficImplies() throws Exception {
        Assumptions.assumeTrue(onPath("prometheus") && onPath("promtool"),
                "prometheus/promtool not installed: apt-get install prometheus (bash .ci/test does)");
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
        BudgetSettings budgets = new BudgetSettings(1_000, PriceTableJson.parse("""
                {"models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}}"""),
                BudgetSettings.DEFAULT_RESERVATION_TTL, UsageSettings.defaults());
        sidecar = Sidecar.start(SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0).withBudgets(budgets)
                .withIngest(dev.keymeter.ingest.IngestTokens.of(INGEST_TOKEN)), controlPlane.inProcessChannel(), "");
        authz = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
        Process prometheus = startPrometheus(sidecar.metricsPort());
        try {
            awaitValue("the first scrape", "up{job=\"keymeter\"}", v -> v == 1);
            Map<String, String> keys = traffic();
            // Enough scrapes after the traffic for rate() and increase() (two samples in range).
            awaitValue("the cost 429 scraped", "sum(keymeter_key_rate_limited_total{limit=\"cost\"})", v -> v >= 1);
            double scraped = scrapes();
            awaitValue("two more scrapes", "count_over_time(up{job=\"keymeter\"}[1h])", v -> v >= scraped + 2);
            assertPanels(keys);
            promtoolCheckMetrics();
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    /** 401, 403, and a 429 of each limit; usage charged by Report. Returns key ids by role. */
    private Map<String, String> traffic() throws Exception {
        admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        CreateKeyResponse rpm = key("rpm", Limits.newBuilder().setRequestsPerMinute(1));
        CreateKeyResponse tokens = key("tokens", Limits.newBuilder().setTokenLimit(100)
                .setResetPeriod(ResetPeriod.RESET_PERIOD_MONTHLY));
        CreateKeyResponse cost = key("cost", Limits.newBuilder().setCostLimitMicroUsd(60_000)
                .setResetPeriod(ResetPeriod.RESET_PERIOD_MONTHLY));
        String body = "{\"model\":\"gpt-4o\"}";
        for (CreateKeyResponse k : List.of(rpm, tokens, cost)) {
            await("key replicated", () -> {
                try {
                    return status(check(k.getToken(), body)) == 200;
                } catch (RuntimeException notYetReady) {
                    return false;
                }
            });
        }
        assertEquals(429, status(check(rpm.getToken(), body)));
        UsageServiceGrpc.UsageServiceBlockingStub report = UsageServiceGrpc.newBlockingStub(authz)
                .withInterceptors(ingestToken()).withDeadlineAfter(5, TimeUnit.SECONDS);
        report.report(ReportRequest.newBuilder().setRequestId("r-tokens").setKeyId(tokens.getKey().getId())
                .setInputTokens(100).build());
        report.report(ReportRequest.newBuilder().setRequestId("r-cost").setKeyId(cost.getKey().getId())
                .setInputTokens(1).setCostMicroUsd(60_000).build());
        assertEquals(429, status(check(tokens.getToken(), body)));
        assertEquals(429, status(check(cost.getToken(), body)));
        assertEquals(401, status(check("kmu_not_a_key", body)));
        return Map.of("rpm", rpm.getKey().getId(), "tokens", tokens.getKey().getId(), "cost", cost.getKey().getId());
    }

    private void assertPanels(Map<String, String> keys) throws Exception {
        Map<String, JsonArray> byTitle = new HashMap<>();
        for (JsonObject panel : panels()) {
            String title = panel.get("title").getAsString();
            for (JsonElement target : panel.getAsJsonArray("targets")) {
                String expr = target.getAsJsonObject().get("expr").getAsString()
                        .replace("$job", ".*").replace("$instance", ".*").replace("$__rate_interval", "1m");
                JsonArray result = query(expr);
                assertFalse(result.isEmpty(), "no data for panel '" + title + "': " + expr);
                for (JsonElement series : result) {
                    String value = series.getAsJsonObject().getAsJsonArray("value").get(1).getAsString();
                    assertFalse(value.equals("NaN"), "NaN in panel '" + title + "': " + series);
                }
                byTitle.merge(title, result, (a, b) -> {
                    a.addAll(b);
                    return a;
                });
            }
        }
        Map<String, Double> byLimit = values(byTitle.get("429s by limit"), "limit");
        for (String limit : List.of("requests_per_minute", "tokens", "cost")) {
            assertTrue(byLimit.getOrDefault(limit, 0.0) > 0, "429s of " + limit + " counted: " + byLimit);
        }
        assertTrue(values(byTitle.get("Top keys by cost"), "key_id").getOrDefault(keys.get("cost"), 0.0) >= 0.06,
                "the $0.06 spent is counted from the series' start: " + byTitle.get("Top keys by cost"));
        assertTrue(values(byTitle.get("Top keys by tokens"), "key_id").getOrDefault(keys.get("tokens"), 0.0) >= 100,
                byTitle.get("Top keys by tokens").toString());
        assertTrue(values(byTitle.get("Top keys by requests"), "key_id").getOrDefault(keys.get("rpm"), 0.0) > 0,
                byTitle.get("Top keys by requests").toString());
        assertEquals(0.0, values(byTitle.get("Lowest remaining budgets (USD)"), "key_id").get(keys.get("cost")));
        assertEquals(Map.of(keys.get("cost"), 0.0), values(byTitle.get("Lowest remaining budgets (USD)"), "key_id"),
                "only keys with a cost limit");
        assertEquals(Map.of(keys.get("tokens"), 0.0), values(byTitle.get("Lowest remaining tokens"), "key_id"),
                "only keys with a token limit");
    }

    private void promtoolCheckMetrics() throws Exception {
        Path scrape = dir.resolve("scrape.txt");
        Files.writeString(scrape, get("http://127.0.0.1:" + sidecar.metricsPort() + "/metrics"));
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(scrape.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
    }

    private CreateKeyResponse key(String name, Limits.Builder limits) {
        return admin().createKey(CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId("payments").setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).setLimits(limits).build());
    }

    private CheckResponse check(String token, String body) {
        return AdminConnection.chatCheck(authz, token, body);
    }

    private static int status(CheckResponse r) {
        return r.hasDeniedResponse() ? r.getDeniedResponse().getStatus().getCodeValue() : 200;
    }

    private Process startPrometheus(int target) throws IOException, InterruptedException {
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            prometheusPort = free.getLocalPort();
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: keymeter
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(target));
        Process p = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        await("prometheus ready", () -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        return p;
    }

    private String base() {
        return "http://127.0.0.1:" + prometheusPort;
    }

    private JsonArray query(String expr) throws Exception {
        JsonObject answer = JsonParser.parseString(get(base() + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8))).getAsJsonObject();
        assertEquals("success", answer.get("status").getAsString(), expr + " → " + answer);
        return answer.getAsJsonObject("data").getAsJsonArray("result");
    }

    private double scrapes() throws Exception {
        JsonArray r = query("count_over_time(up{job=\"keymeter\"}[1h])");
        return r.isEmpty() ? 0 : Double.parseDouble(r.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString());
    }

    private void awaitValue(String what, String expr, java.util.function.DoublePredicate ok) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        double target = Double.NaN;
        while (System.nanoTime() < deadline) {
            JsonArray r = query(expr);
            if (!r.isEmpty()) {
                target = Double.parseDouble(r.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString());
                if (ok.test(target)) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what + " (" + expr + " = " + target + ")");
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + " → " + r.body());
        return r.body();
    }

    private static Map<String, Double> values(JsonArray result, String label) {
        Map<String, Double> out = new HashMap<>();
        for (JsonElement e : result) {
            JsonObject series = e.getAsJsonObject();
            JsonElement name = series.getAsJsonObject("metric").get(label);
            out.put(name == null ? "" : name.getAsString(),
                    Double.parseDouble(series.getAsJsonArray("value").get(1).getAsString()));
        }
        return out;
    }

    private static List<JsonObject> panels() throws IOException {
        JsonObject dashboard = JsonParser.parseString(Files.readString(DASHBOARD)).getAsJsonObject();
        List<JsonObject> out = new ArrayList<>();
        collect(dashboard.getAsJsonArray("panels"), out);
        return out;
    }

    private static void collect(JsonArray panels, List<JsonObject> out) {
        for (JsonElement e : panels) {
            JsonObject panel = e.getAsJsonObject();
            if (panel.has("targets")) {
                out.add(panel);
            }
            if (panel.has("panels")) {
                collect(panel.getAsJsonArray("panels"), out);
            }
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
