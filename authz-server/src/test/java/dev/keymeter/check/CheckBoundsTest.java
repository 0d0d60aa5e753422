package dev.keymeter.check;

import static dev.keymeter.check.Answers.error;
import static dev.keymeter.check.Answers.header;
import static dev.keymeter.check.Answers.httpStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.logging.LogLines;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTableJson;
import dev.keymeter.usage.Reservations;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No stored key and no request makes Check fail: a limit beyond what the counters hold (stored
 * before the admin API had bounds) is counted against the bound and logged once per key, and an
 * estimate from a body that claims an absurd size saturates into a normal 429.
 */
class CheckBoundsTest {

    private static final String PRICES = """
            {"models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}}
            """;
    private static final long E15 = 1_000_000_000_000_000L;
    private static final String MAX_AMOUNT = "17592186044415";

    @TempDir
    Path dir;
    private CheckHarness harness;

    @BeforeEach
    void start() {
        Budgets budgets = new Budgets(new HeapCounterStore(1000), PriceTableJson.parse(PRICES),
                new Reservations(60_000, 1000));
        harness = new CheckHarness(dir, CheckSettings.defaults(), true, budgets);
    }

    @AfterEach
    void close() throws InterruptedException {
        harness.close();
    }

    private String key(String id, Limits limits) {
        String token = TestKeys.userToken();
        harness.add(TestKeys.projectKey(id, token).setLimits(limits));
        return token;
    }

    /** A chat completion whose body is {@code body} and whose content-length Envoy reports as {@code size}. */
    private static CheckRequest chat(String token, String body, long size) {
        CheckRequest r = Requests.bearer("POST", "/v1/chat/completions", token);
        return Requests.withAttributes(r, AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder()
                .setHttp(r.getAttributes().getRequest().getHttp().toBuilder().setBody(body).setSize(size))));
    }

    private static String ok(CheckResponse r, String name) {
        return header(r.getOkResponse().getResponseHeadersToAddList(), name);
    }

    @Test
    void check_storedLimitsBeyondTheCounters_areDecidedAgainstTheBound_loggedOncePerKey() {
        try (LogLines log = new LogLines("keymeter.replication")) {
            Limits huge = Limits.newBuilder().setTokenLimit(E15).setCostLimitMicroUsd(E15).setRequestsPerMinute(E15)
                    .setResetPeriod(ResetPeriod.RESET_PERIOD_DAILY).build();
            String token = key("key_huge", huge);
            for (int i = 0; i < 3; i++) {
                CheckResponse r = harness.check(chat(token, "{\"model\":\"gpt-4o\",\"max_tokens\":100}", 0));
                assertEquals(200, httpStatus(r));
                assertEquals(MAX_AMOUNT, ok(r, "x-ratelimit-limit-tokens"), "counted against the bound");
                assertEquals("4294967294", ok(r, "x-ratelimit-limit-requests"));
            }
            harness.add(TestKeys.projectKey("key_huge", token).setLimits(huge).setRevision(2));
            assertEquals(200, httpStatus(harness.check(chat(token, "{}", 0))));

            List<String> lines = log.lines();
            assertEquals(3, lines.size(), "one line per field, once per key: " + lines);
            assertTrue(lines.stream().anyMatch(l -> l.contains("key key_huge: limits.token_limit 1000000000000000")
                    && l.contains("0 to " + MAX_AMOUNT) && l.contains("counted as " + MAX_AMOUNT)), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.contains("limits.requests_per_minute 1000000000000000")
                    && l.contains("0 to 4294967294")), lines.toString());
            assertTrue(lines.stream().noneMatch(l -> l.contains(token)), "never a token");
        }
    }

    @Test
    void check_storedNegativeLimit_countsAsZero_is429() {
        String token = key("key_neg", Limits.newBuilder().setTokenLimit(-5).build());
        CheckResponse r = harness.check(chat(token, "{}", 0));
        assertEquals(429, httpStatus(r));
        assertEquals("rate_limit_exceeded", error(r).get("code").getAsString());
        assertEquals("tokens", error(r).get("type").getAsString());
    }

    @Test
    void check_contentLengthNearLongMax_withMaxTokens_is429NotAnError() {
        String token = key("key_tok", Limits.newBuilder().setTokenLimit(1_000_000).build());
        CheckResponse r = harness.check(chat(token, "{\"max_tokens\":100}", Long.MAX_VALUE));
        assertEquals(429, httpStatus(r));
        assertEquals("rate_limit_exceeded", error(r).get("code").getAsString());
        assertEquals("tokens", error(r).get("type").getAsString());
        assertEquals(429, httpStatus(harness.check(chat(token, "{\"max_tokens\":100}", 70_000_000_000_000L))));
        assertEquals(429, httpStatus(harness.check(chat(token, "{\"max_tokens\":100}", 4 * 17_592_186_044_415L))));
        CheckResponse twoTo62 = harness.check(chat(token, "{\"max_tokens\":4611686018427387904}", Long.MAX_VALUE));
        assertTrue(List.of(200, 429).contains(httpStatus(twoTo62)), "a decision");
        assertEquals(200, httpStatus(harness.check(chat(token, "{\"max_tokens\":100}", 400))), "nothing was charged");
    }

    @Test
    void check_contentLengthNearLongMax_costLimitedKey_is429BudgetExceeded() {
        String token = key("key_usd", Limits.newBuilder().setCostLimitMicroUsd(1_000_000).build());
        CheckResponse r = harness.check(chat(token, "{\"model\":\"gpt-4o\",\"max_tokens\":100}", Long.MAX_VALUE));
        assertEquals(429, httpStatus(r));
        assertFalse(r.hasOkResponse());
    }

    @Test
    void check_hugeEstimate_keyWithoutATokenLimit_isNeverRefusedForTokens() {
        String token = key("key_rpm", Limits.newBuilder().setRequestsPerMinute(100).build());
        for (int i = 0; i < 3; i++) {
            CheckResponse r = harness.check(chat(token, "{\"max_tokens\":100}", Long.MAX_VALUE));
            assertEquals(200, httpStatus(r), "request " + i + ": only requests per minute are limited");
        }
    }
}
