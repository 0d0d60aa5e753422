package dev.keymeter.check;

import static dev.keymeter.check.Answers.error;
import static dev.keymeter.check.Answers.header;
import static dev.keymeter.check.Answers.httpStatus;
import static dev.keymeter.check.Answers.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTable;
import dev.keymeter.usage.PriceTableJson;
import dev.keymeter.usage.RecentRequests;
import dev.keymeter.usage.Reservations;
import dev.keymeter.usage.Settlement;
import dev.keymeter.usage.UsageLedger;
import dev.keymeter.usage.UsageListener;
import dev.keymeter.usage.UsageRecord;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Check with budgets, through a real gRPC stub: 429s per limit with their codes and every header,
 * rate-limit headers on allowed answers, reservations from the body, settlement and expiry through the
 * real {@link UsageLedger}, the unpriced-model policy, and period boundaries on an injected clock.
 */
class CheckQuotaTest {

    private static final String PRICES = """
            {"models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}}
            """;

    @TempDir
    Path dir;

    private CheckHarness harness;
    private Budgets budgets;
    private UsageLedger ledger;
    private RecentRequests requestIds;
    private final List<String> charged = new CopyOnWriteArrayList<>();

    private void start(PriceTable prices) {
        budgets = new Budgets(new HeapCounterStore(1000), prices, new Reservations(60_000, 1000));
        harness = new CheckHarness(dir, CheckSettings.defaults(), true, budgets);
        try {
            if (requestIds != null) {
                requestIds.close();
            }
            requestIds = RecentRequests.open(dir.resolve("request-ids"), 10_000, 3_600_000, harness.clock.millis());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ledger = new UsageLedger(budgets, harness.replica, requestIds, new UsageListener() {
            @Override
            public void charged(String keyId, long in, long out, long cost) {
                charged.add(keyId + " " + in + " " + out + " " + cost);
            }

            @Override
            public void reservationExpired(String keyId, long tokens, long cost) {
                charged.add("expired " + keyId + " " + tokens + " " + cost);
            }
        }, harness.clock);
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
        if (requestIds != null) {
            requestIds.close();
        }
    }

    private String key(String id, Limits limits) {
        String token = TestKeys.userToken();
        KeyRecord.Builder record = TestKeys.projectKey(id, token).setLimits(limits);
        harness.add(record);
        return token;
    }

    private static CheckRequest chat(String token, String body) {
        CheckRequest r = Requests.bearer("POST", "/v1/chat/completions", token);
        if (body == null) {
            return r;
        }
        return Requests.withAttributes(r, AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder()
                .setHttp(r.getAttributes().getRequest().getHttp().toBuilder().setBody(body))));
    }

    private static String ok(CheckResponse r, String name) {
        return header(r.getOkResponse().getResponseHeadersToAddList(), name);
    }

    private static String denied(CheckResponse r, String name) {
        return header(r.getDeniedResponse().getHeadersList(), name);
    }

    @Test
    void requestsPerMinuteAnswers429WithRetryAfterFromTheWindow() {
        start(PriceTable.empty());
        String token = key("key_rpm", Limits.newBuilder().setRequestsPerMinute(3).build());
        for (int i = 0; i < 3; i++) {
            CheckResponse r = harness.check(chat(token, null));
            assertEquals(200, httpStatus(r));
            assertEquals("3", ok(r, "x-ratelimit-limit-requests"));
            assertEquals(Integer.toString(2 - i), ok(r, "x-ratelimit-remaining-requests"));
            assertNull(ok(r, "x-ratelimit-limit-tokens"), "no token limit, no token headers");
            assertNull(ok(r, "x-keymeter-budget-remaining-usd"));
            harness.clock.advance(Duration.ofSeconds(10));
        }
        // Admissions at :00, :10, :20; now :30. The first leaves the window at 1:00 + 1 s granularity.
        CheckResponse refused = harness.check(chat(token, null));
        assertEquals(429, httpStatus(refused));
        assertEquals("rate_limit_exceeded", error(refused).get("code").getAsString());
        assertEquals("requests", error(refused).get("type").getAsString());
        assertEquals("31", denied(refused, "retry-after"));
        assertEquals("3", denied(refused, "x-ratelimit-limit-requests"));
        assertEquals("0", denied(refused, "x-ratelimit-remaining-requests"));
        assertEquals("31s", denied(refused, "x-ratelimit-reset-requests"));
        assertTrue(error(refused).get("message").getAsString().contains("3 requests per minute"));
        assertEquals("requests_per_minute", metadata(refused, "denial_reason"));
        assertEquals("key_rpm", metadata(refused, "key_id"));
        assertEquals("denied REQUESTS_PER_MINUTE key_rpm", harness.listener.last());

        harness.clock.advance(Duration.ofSeconds(31));
        assertEquals(200, httpStatus(harness.check(chat(token, null))), "the first admission left the window");
        assertEquals(429, httpStatus(harness.check(chat(token, null))), "the second has not");
    }

    @Test
    void tokenBudgetReservesTheBodysEstimateAndSettlesWithActualUsage() {
        start(PriceTable.empty());
        String token = key("key_tok", Limits.newBuilder().setTokenLimit(1000).setResetPeriod(ResetPeriod.RESET_PERIOD_DAILY).build());
        String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":500}";
        long input = (body.length() + 3) / 4;
        CheckResponse first = harness.check(chat(token, body));
        assertEquals(200, httpStatus(first));
        String reservation = metadata(first, "reservation_id");
        assertNotNull(reservation, "an estimate was reserved");
        assertEquals("gpt-4o", metadata(first, "model"));
        assertEquals("1000", ok(first, "x-ratelimit-limit-tokens"));
        assertEquals(Long.toString(1000 - 500 - input), ok(first, "x-ratelimit-remaining-tokens"));
        assertEquals("14h0m0s", ok(first, "x-ratelimit-reset-tokens"), "10:00 UTC → midnight");

        CheckResponse second = harness.check(chat(token, body));
        assertEquals(429, httpStatus(second), "a second estimate would pass the limit");
        assertEquals("token_limit_exceeded", error(second).get("code").getAsString());
        assertEquals("tokens", error(second).get("type").getAsString());
        assertEquals(Long.toString(14 * 3600), denied(second, "retry-after"));
        assertEquals("1000", denied(second, "x-ratelimit-limit-tokens"));
        assertEquals(Long.toString(1000 - 500 - input), denied(second, "x-ratelimit-remaining-tokens"));
        assertEquals("14h0m0s", denied(second, "x-ratelimit-reset-tokens"));
        assertNull(denied(second, "x-ratelimit-limit-requests"), "no requests-per-minute limit: no requests headers");

        Settlement s = ledger.settle(new UsageRecord("req-1", "key_tok", reservation, null, 40, 60,
                UsageRecord.UNKNOWN_COST, UsageRecord.Source.REPORT));
        assertTrue(s.counted());
        CheckResponse third = harness.check(chat(token, body));
        assertEquals(200, httpStatus(third), "the reservation was replaced by 100 actual tokens");
        assertEquals(Long.toString(1000 - 100 - 500 - input), ok(third, "x-ratelimit-remaining-tokens"));
        assertEquals(Settlement.Outcome.DUPLICATE, ledger.settle(new UsageRecord("req-1", "key_tok", reservation, null,
                40, 60, UsageRecord.UNKNOWN_COST, UsageRecord.Source.ACCESS_LOG)).outcome());
    }

    @Test
    void anUnsettledReservationIsChargedInFullWhenItsTtlPasses() {
        start(PriceTable.empty());
        String token = key("key_ttl", Limits.newBuilder().setTokenLimit(10_000).build());
        String body = "{\"max_completion_tokens\":1000}";
        long estimate = 1000 + (body.length() + 3) / 4;
        CheckResponse r = harness.check(chat(token, body));
        assertNotNull(metadata(r, "reservation_id"));
        assertEquals(1, budgets.reservations().inFlight("key_ttl"));
        harness.clock.advance(Duration.ofSeconds(59));
        assertEquals(0, ledger.expireReservations(), "within the TTL");
        harness.clock.advance(Duration.ofSeconds(1));
        assertEquals(1, ledger.expireReservations());
        assertEquals(List.of("expired key_ttl " + estimate + " 0"), charged);
        assertEquals(0, budgets.reservations().inFlight("key_ttl"));
        var usage = budgets.existingQuotaOf(entry("key_ttl")).tokens(harness.clock.millis());
        assertEquals(estimate, usage.used(), "charged in full");
        assertEquals(0, usage.reserved());

        // A late report adds only what it exceeds the estimate by.
        ledger.settle(new UsageRecord("late", "key_ttl", metadata(r, "reservation_id"), null, 0, estimate + 50,
                UsageRecord.UNKNOWN_COST, UsageRecord.Source.ACCESS_LOG));
        assertEquals(estimate + 50, budgets.existingQuotaOf(entry("key_ttl")).tokens(harness.clock.millis()).used());
    }

    @Test
    void costBudgetUsesThePriceTableAndAnswersBudgetExceeded() {
        start(PriceTableJson.parse(PRICES));
        String token = key("key_usd", Limits.newBuilder().setCostLimitMicroUsd(1_000_000)
                .setResetPeriod(ResetPeriod.RESET_PERIOD_MONTHLY).build());
        CheckResponse r = harness.check(chat(token, "{\"model\":\"gpt-4o\"}"));
        assertEquals(200, httpStatus(r));
        assertEquals("1", ok(r, "x-keymeter-budget-remaining-usd"));
        assertNull(metadata(r, "reservation_id"), "no output limit: no estimate, nothing reserved");
        // 100k input tokens at 2.5 USD/M + 20k output at 10 USD/M = 0.25 + 0.20 USD.
        Settlement s = ledger.settle(new UsageRecord("r1", "key_usd", null, "gpt-4o", 100_000, 20_000,
                UsageRecord.UNKNOWN_COST, UsageRecord.Source.ACCESS_LOG));
        assertEquals(450_000, s.chargedCostMicroUsd());
        assertEquals("0.55", ok(harness.check(chat(token, null)), "x-keymeter-budget-remaining-usd"));
        ledger.settle(new UsageRecord("r2", "key_usd", null, null, 0, 0, 550_000, UsageRecord.Source.REPORT));
        CheckResponse refused = harness.check(chat(token, null));
        assertEquals(429, httpStatus(refused));
        assertEquals("budget_exceeded", error(refused).get("code").getAsString());
        assertEquals("insufficient_quota", error(refused).get("type").getAsString());
        assertEquals("0", denied(refused, "x-keymeter-budget-remaining-usd"));
        // 2026-11-22T10:00Z → 2026-12-01T00:00Z
        assertEquals(Long.toString(Duration.between(TestKeys.NOW, Instant.parse("2026-12-01T00:00:00Z")).toSeconds()),
                denied(refused, "retry-after"));
        assertEquals("denied COST_LIMIT key_usd", harness.listener.last());
    }

    @Test
    void anUnpricedModelIsRefusedForKeysWithACostLimitAndNeverChargedAsZero() throws InterruptedException {
        start(PriceTableJson.parse(PRICES));
        String limited = key("key_lim", Limits.newBuilder().setCostLimitMicroUsd(5_000_000).build());
        CheckResponse refused = harness.check(chat(limited, "{\"model\":\"mystery-model\",\"max_tokens\":10}"));
        assertEquals(403, httpStatus(refused));
        assertEquals("model_not_priced", error(refused).get("code").getAsString());
        assertTrue(!refused.getDeniedResponse().getBody().contains("mystery-model"), "client input is not echoed");

        // Usage of an unpriced model reported for the key: its spend is unknown from then on.
        assertEquals(200, httpStatus(harness.check(chat(limited, null))));
        ledger.settle(new UsageRecord("u1", "key_lim", null, "mystery-model", 10, 10, UsageRecord.UNKNOWN_COST,
                UsageRecord.Source.ACCESS_LOG));
        CheckResponse after = harness.check(chat(limited, null));
        assertEquals(403, httpStatus(after));
        assertEquals("model_not_priced", error(after).get("code").getAsString());

        // With a fallback price the same usage costs the fallback.
        harness.close();
        harness = null;
        start(PriceTableJson.parse("""
                {"unpriced": {"policy": "fallback", "input_usd_per_million": 30, "output_usd_per_million": 60}}"""));
        key("key_fb", Limits.newBuilder().setCostLimitMicroUsd(5_000_000).build());
        assertEquals(900, ledger.settle(new UsageRecord("u2", "key_fb", null, "mystery-model", 10, 10,
                UsageRecord.UNKNOWN_COST, UsageRecord.Source.ACCESS_LOG)).chargedCostMicroUsd());
    }

    @Test
    void keysWithoutLimitsAndLegacyKeysGetNoRateHeaders() {
        start(PriceTable.empty());
        String plain = key("key_plain", Limits.getDefaultInstance());
        CheckResponse r = harness.check(chat(plain, "{\"model\":\"gpt-4o\",\"max_tokens\":5}"));
        assertEquals(200, httpStatus(r));
        assertEquals(0, r.getOkResponse().getResponseHeadersToAddCount());
        assertEquals("gpt-4o", metadata(r, "model"), "the model still goes to the access log for pricing");
        assertNull(metadata(r, "reservation_id"));
        assertEquals(0, budgets.counters().size(), "no counters for keys without limits");
    }

    @Test
    void legacyKeysStayUnlimitedEvenIfARecordCarriedLimits() {
        start(PriceTable.empty());
        String token = TestKeys.userToken();
        harness.add(TestKeys.projectKey("key_legacy", token).setLegacy(true)
                .setLimits(Limits.newBuilder().setRequestsPerMinute(1)));
        for (int i = 0; i < 3; i++) {
            CheckResponse r = harness.check(chat(token, null));
            assertEquals(200, httpStatus(r));
            assertEquals(0, r.getOkResponse().getResponseHeadersToAddCount());
        }
        assertEquals(0, budgets.counters().size());
    }

    @Test
    void aMonthlyBudgetResetsExactlyAtTheLeapYearMonthEnd() {
        start(PriceTable.empty());
        harness.clock.set(Instant.parse("2028-02-29T23:59:59Z"));
        String token = key("key_leap", Limits.newBuilder().setTokenLimit(100)
                .setResetPeriod(ResetPeriod.RESET_PERIOD_MONTHLY).build());
        ledger.settle(new UsageRecord("l1", "key_leap", null, null, 100, 0, 0, UsageRecord.Source.REPORT));
        CheckResponse refused = harness.check(chat(token, null));
        assertEquals(429, httpStatus(refused));
        assertEquals("1", denied(refused, "retry-after"), "one second to 2028-03-01T00:00Z");
        harness.clock.set(Instant.parse("2028-03-01T00:00:00Z"));
        CheckResponse allowed = harness.check(chat(token, null));
        assertEquals(200, httpStatus(allowed));
        assertEquals("100", ok(allowed, "x-ratelimit-remaining-tokens"));
        assertEquals("744h0m0s", ok(allowed, "x-ratelimit-reset-tokens"), "31 days of March");
    }

    private dev.keymeter.replica.ReplicaEntry entry(String keyId) {
        var e = new dev.keymeter.replica.ReplicaEntry();
        assertTrue(harness.replica.lookupKey(keyId, e));
        return e;
    }
}
