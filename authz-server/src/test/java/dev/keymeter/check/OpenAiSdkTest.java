package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.keymeter.proto.admin.v1.AccessLevel;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTableJson;
import dev.keymeter.usage.RecentRequests;
import dev.keymeter.usage.Reservations;
import dev.keymeter.usage.UsageLedger;
import dev.keymeter.usage.UsageListener;
import dev.keymeter.usage.UsageRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI SDK for Node (pinned in {@code src/test/node/package-lock.json}) against real
 * Check answers, served by {@link EnvoyStandIn} as Envoy would: each denial becomes the SDK's own error
 * class with OpenAI's type, code and {@code param}, the SDK reads our headers, and its retries follow
 * {@code retry-after} and {@code x-should-retry}.
 */
class OpenAiSdkTest {

    @TempDir
    Path dir;

    private CheckHarness harness;
    private UsageLedger ledger;
    private EnvoyStandIn envoy;
    private RecentRequests requestIds;

    @BeforeEach
    void start() throws IOException {
        Budgets budgets = new Budgets(new HeapCounterStore(1000), PriceTableJson.parse("""
                {"models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}}"""),
                new Reservations(60_000, 1000));
        harness = new CheckHarness(dir, CheckSettings.defaults(), true, budgets);
        requestIds = RecentRequests.open(dir.resolve("request-ids"), 10_000, 3_600_000, 0);
        ledger = new UsageLedger(budgets, harness.replica, requestIds, new UsageListener() {
        }, harness.clock);
        envoy = new EnvoyStandIn(harness::check);
    }

    @AfterEach
    void stop() throws InterruptedException, IOException {
        envoy.close();
        harness.close();
        requestIds.close();
    }

    @Test
    void sdk_authenticationAndPermissionDenials_areTheirErrorClassesAndNotRetried() throws Exception {
        String revoked = key("key_rev", k -> k.setStatus(KeyStatus.KEY_STATUS_REVOKED));
        String restricted = key("key_res", k -> k.setPermissions(Permissions.newBuilder()
                .setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)
                .putResources("embeddings", AccessLevel.ACCESS_LEVEL_WRITE)));
        String allowed = key("key_all", k -> k);
        Map<String, JsonObject> r = sdk(
                scenario("unknown", TestKeys.userToken(), 2, "chat"),
                scenario("revoked", revoked, 2, "chat"),
                scenario("restricted", restricted, 2, "chat"),
                scenario("unmapped", allowed, 2, "missing-route"));

        assertApiError(r.get("unknown"), "AuthenticationError", 401, "invalid_request_error", "invalid_api_key");
        assertEquals("Bearer", header(r.get("unknown"), "www-authenticate"));
        assertApiError(r.get("revoked"), "AuthenticationError", 401, "invalid_request_error", "invalid_api_key");
        assertApiError(r.get("restricted"), "PermissionDeniedError", 403, "permission_error", "insufficient_permissions");
        assertApiError(r.get("unmapped"), "PermissionDeniedError", 403, "invalid_request_error", "unknown_route");
        assertEquals(4, envoy.hits().size(), "the SDK retries none of 401 and 403: " + envoy.hits());
    }

    @Test
    void sdk_requestsPerMinute_readsHeadersAndRetriesAfterRetryAfter() throws Exception {
        String token = key("key_rpm", k -> k
                .setLimits(Limits.newBuilder().setRequestsPerMinute(2)));
        Map<String, JsonObject> r = sdk(
                scenario("first", token, 0, "chat"),
                scenario("second", token, 0, "chat"),
                scenario("third", token, 0, "chat"));
        assertTrue(r.get("first").get("ok").getAsBoolean(), r.get("first").toString());
        assertEquals("2", header(r.get("first"), "x-ratelimit-limit-requests"));
        assertEquals("1", header(r.get("first"), "x-ratelimit-remaining-requests"));
        assertEquals("1m1s", header(r.get("first"), "x-ratelimit-reset-requests"), "until the window is empty again");
        assertEquals("0", header(r.get("second"), "x-ratelimit-remaining-requests"));
        JsonObject third = r.get("third");
        assertApiError(third, "RateLimitError", 429, "requests", "rate_limit_exceeded");
        assertEquals("61", header(third, "retry-after"), "both admissions leave the window at 61 s");
        assertEquals("1m1s", header(third, "x-ratelimit-reset-requests"));
        assertEquals("0", header(third, "x-ratelimit-remaining-requests"));
        assertFalse(third.getAsJsonObject("headers").has("x-should-retry"), "a wait the SDK may take");

        // At 60.4 s the admissions of second 0 leave in 0.6 s: retry-after 1, which the SDK waits out
        // before its one retry; from that first attempt on, Check's clock moves with real time.
        Instant attempt = harness.clock.instant().plusMillis(60_400);
        AtomicLong firstNanos = new AtomicLong();
        envoy.beforeCheck(() -> {
            firstNanos.compareAndSet(0, System.nanoTime());
            harness.clock.set(attempt.plusNanos(System.nanoTime() - firstNanos.get()));
        });
        int before = envoy.hits().size();
        JsonObject retried = sdk(scenario("retried", token, 1, "chat")).get("retried");
        assertTrue(retried.get("ok").getAsBoolean(), retried.toString());
        List<EnvoyStandIn.Hit> hits = envoy.hits().subList(before, envoy.hits().size());
        assertEquals(List.of(429, 200), hits.stream().map(EnvoyStandIn.Hit::status).toList());
        long waitedMillis = (hits.get(1).nanos() - hits.get(0).nanos()) / 1_000_000;
        assertTrue(waitedMillis >= 1000, "the SDK waited retry-after (1 s) before retrying, waited " + waitedMillis + " ms");
    }

    @Test
    void sdk_tokenAndCostBudgets_areRateLimitErrorsWithOpenAiCodes_notRetriedForLongWaits() throws Exception {
        String tokens = key("key_tok", k -> k.setLimits(Limits.newBuilder()
                .setTokenLimit(100).setResetPeriod(ResetPeriod.RESET_PERIOD_DAILY)));
        String cost = key("key_usd", k -> k.setLimits(Limits.newBuilder()
                .setCostLimitMicroUsd(1_000_000).setResetPeriod(ResetPeriod.RESET_PERIOD_DAILY)));
        String forever = key("key_once", k -> k.setLimits(Limits.newBuilder()
                .setCostLimitMicroUsd(1_000_000).setResetPeriod(ResetPeriod.RESET_PERIOD_NEVER)));
        ledger.settle(new UsageRecord("t", "key_tok", null, null, 100, 0, 0, UsageRecord.Source.REPORT));
        ledger.settle(new UsageRecord("c", "key_usd", null, null, 0, 0, 1_000_000, UsageRecord.Source.REPORT));
        ledger.settle(new UsageRecord("o", "key_once", null, null, 0, 0, 1_000_000, UsageRecord.Source.REPORT));
        Map<String, JsonObject> r = sdk(
                scenario("tokens", tokens, 2, "chat"),
                scenario("cost", cost, 2, "chat"),
                scenario("forever", forever, 2, "chat"));

        assertApiError(r.get("tokens"), "RateLimitError", 429, "tokens", "rate_limit_exceeded");
        assertEquals(Long.toString(14 * 3600), header(r.get("tokens"), "retry-after"), "10:00 UTC → midnight");
        assertEquals("14h0m0s", header(r.get("tokens"), "x-ratelimit-reset-tokens"));
        assertEquals("0", header(r.get("tokens"), "x-ratelimit-remaining-tokens"));
        assertApiError(r.get("cost"), "RateLimitError", 429, "insufficient_quota", "insufficient_quota");
        assertEquals("0", header(r.get("cost"), "x-keymeter-budget-remaining-usd"));
        assertApiError(r.get("forever"), "RateLimitError", 429, "insufficient_quota", "insufficient_quota");
        assertFalse(r.get("forever").getAsJsonObject("headers").has("retry-after"), "the budget never resets");
        for (String name : List.of("tokens", "cost", "forever")) {
            assertEquals("false", header(r.get(name), "x-should-retry"), name);
        }
        assertEquals(3, envoy.hits().size(), "x-should-retry: false spares the SDK a 14 h sleep: " + envoy.hits());
        for (JsonObject each : r.values()) {
            assertTrue(each.get("elapsedMillis").getAsLong() < 10_000, "answered without a retry's wait: " + each);
        }
    }

    /** Adds a project key {@code keyId}, changed by {@code with}, and returns its token. */
    private String key(String keyId, UnaryOperator<KeyRecord.Builder> with) {
        String token = TestKeys.userToken();
        harness.add(with.apply(TestKeys.projectKey(keyId, token)));
        return token;
    }

    private JsonObject scenario(String name, String apiKey, int maxRetries, String call) {
        JsonObject s = new JsonObject();
        s.addProperty("name", name);
        s.addProperty("apiKey", apiKey);
        s.addProperty("maxRetries", maxRetries);
        s.addProperty("call", call);
        return s;
    }

    private Map<String, JsonObject> sdk(JsonObject... scenarios) throws IOException, InterruptedException {
        JsonArray all = new JsonArray();
        for (JsonObject s : scenarios) {
            all.add(s);
        }
        Map<String, JsonObject> byName = new HashMap<>();
        for (JsonObject result : NodeScript.run("openai-sdk.mjs", envoy.baseUrl(), all.toString())) {
            byName.put(result.get("name").getAsString(), result);
        }
        assertEquals(scenarios.length, byName.size(), byName.toString());
        return byName;
    }

    private static void assertApiError(JsonObject r, String errorClass, int status, String type, String code) {
        assertFalse(r.get("ok").getAsBoolean(), r.toString());
        assertEquals(errorClass, r.get("errorClass").getAsString(), r.toString());
        assertEquals(status, r.get("status").getAsInt(), r.toString());
        assertEquals(type, r.get("type").getAsString(), r.toString());
        assertEquals(code, r.get("code").getAsString(), r.toString());
        assertTrue(r.get("hasParam").getAsBoolean() && r.get("param").isJsonNull(), "\"param\": null in " + r);
        assertFalse(r.get("message").getAsString().isBlank(), r.toString());
    }

    private static String header(JsonObject r, String name) {
        JsonObject headers = r.getAsJsonObject("headers");
        return headers.has(name) ? headers.get(name).getAsString() : null;
    }
}
