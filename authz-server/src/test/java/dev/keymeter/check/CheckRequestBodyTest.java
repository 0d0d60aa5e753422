package dev.keymeter.check;

import static dev.keymeter.check.Answers.error;
import static dev.keymeter.check.Answers.header;
import static dev.keymeter.check.Answers.httpStatus;
import static dev.keymeter.check.Answers.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTableJson;
import dev.keymeter.usage.Reservations;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request bodies as Check reads them for budgets, through a real gRPC stub: JSON escapes in the model,
 * bodies Envoy cut at 8 KiB (a model or an output limit beyond the cut is unknown, not absent), and
 * the unpriced-model policy applied to a model that cannot be read.
 */
class CheckRequestBodyTest {

    private static final String PRICED = """
            "models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}""";
    private static final String REFUSE = "{" + PRICED + "}";
    private static final String FALLBACK = "{" + PRICED
            + ", \"unpriced\": {\"policy\": \"fallback\", \"input_usd_per_million\": 30, \"output_usd_per_million\": 60}}";
    /** Envoy's {@code max_request_bytes} in the shipped envoy.yaml. */
    private static final int CUT = 8_192;

    @TempDir
    Path dir;
    private CheckHarness harness;

    private void start(String prices) {
        Budgets budgets = new Budgets(new HeapCounterStore(1000), PriceTableJson.parse(prices),
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

    private static CheckRequest chat(String token, String body) {
        CheckRequest r = Requests.bearer("POST", "/v1/chat/completions", token);
        return Requests.withAttributes(r, AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder()
                .setHttp(r.getAttributes().getRequest().getHttp().toBuilder().setBody(body))));
    }

    /** A chat body whose model comes after {@code padding} characters of prompt, cut as Envoy cuts it. */
    private static CheckRequest cutChat(String token, String modelAndLimit) {
        String whole = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "a".repeat(12_000) + "\"}]," + modelAndLimit + "}";
        CheckRequest r = Requests.bearer("POST", "/v1/chat/completions", token);
        return Requests.withAttributes(r, AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder()
                .setHttp(r.getAttributes().getRequest().getHttp().toBuilder()
                        .setRawBody(ByteString.copyFromUtf8(whole.substring(0, CUT))).setSize(whole.length())
                        .putHeaders(RequestEstimate.PARTIAL_BODY_HEADER, "true"))));
    }

    @Test
    void check_escapedModelName_isReadAsTheModel() {
        start(REFUSE);
        String token = key("key_usd", Limits.newBuilder().setCostLimitMicroUsd(5_000_000).build());

        CheckResponse r = harness.check(chat(token, "{\"model\":\"gpt-4\\u006f\",\"max_tokens\":10}"));

        assertEquals(200, httpStatus(r));
        assertEquals("gpt-4o", metadata(r, "model"), "priced and reserved as gpt-4o");
    }

    @Test
    void check_escapedUnpricedModel_costLimitedKey_isRefusedAsUnpriced() {
        start(REFUSE);
        String token = key("key_usd", Limits.newBuilder().setCostLimitMicroUsd(5_000_000).build());

        CheckResponse r = harness.check(chat(token, "{\"model\":\"mystery\\u002dmodel\",\"max_tokens\":10}"));

        assertEquals(403, httpStatus(r));
        assertEquals("model_not_priced", error(r).get("code").getAsString());
    }

    @Test
    void check_modelAfterTheCut_costLimitedKey_refusePolicy_is403() {
        start(REFUSE);
        String token = key("key_usd", Limits.newBuilder().setCostLimitMicroUsd(5_000_000).build());

        CheckResponse r = harness.check(cutChat(token, "\"model\":\"mystery-model\",\"max_tokens\":10"));

        assertEquals(403, httpStatus(r));
        assertEquals("model_not_priced", error(r).get("code").getAsString());
        assertTrue(error(r).get("message").getAsString().contains("could not be read"), error(r).toString());
        assertEquals("model_not_priced", metadata(r, "denial_reason"));
    }

    @Test
    void check_unreadableModel_costLimitedKey_refusePolicy_is403() {
        start(REFUSE);
        String token = key("key_usd", Limits.newBuilder().setCostLimitMicroUsd(5_000_000).build());

        for (String body : new String[] {"{\"model\":\"gpt-4\\ud800\"}", "{\"model\":{\"name\":\"gpt-4o\"}}",
                "{\"model\":\"gpt-4o"}) {
            assertEquals(403, httpStatus(harness.check(chat(token, body))), body);
        }
        assertEquals(200, httpStatus(harness.check(chat(token, "{\"input\":\"no model here\"}"))),
                "a whole body without a model has none: nothing to price");
    }

    @Test
    void check_modelAfterTheCut_fallbackPolicy_isAdmittedWithAConservativeEstimate() {
        start(FALLBACK);
        String token = key("key_tok", Limits.newBuilder().setTokenLimit(1_000_000).setCostLimitMicroUsd(50_000_000).build());

        CheckResponse r = harness.check(cutChat(token, "\"model\":\"gpt-4o\",\"max_tokens\":10"));

        assertEquals(200, httpStatus(r));
        long input = (12_000 + 60) / 4;
        long reserved = 1_000_000 - Long.parseLong(header(r.getOkResponse().getResponseHeadersToAddList(),
                "x-ratelimit-remaining-tokens"));
        assertTrue(reserved >= input + RequestEstimate.CUT_BODY_OUTPUT_TOKENS,
                "max_tokens beyond the cut is not 0: reserved " + reserved);
        assertFalse(r.getDynamicMetadata().getFieldsMap().containsKey("model"), "the model was not read");
    }

    @Test
    void check_contentLength7e13_withMaxTokens_costLimitedFallbackKey_isADecision() {
        start(FALLBACK);
        String token = key("key_usd", Limits.newBuilder().setCostLimitMicroUsd(5_000_000).setTokenLimit(1_000).build());
        for (long size : new long[] {70_000_000_000_000L, Long.MAX_VALUE}) {
            CheckRequest r = chat(token, "{\"model\":\"other\",\"max_tokens\":100}");
            r = Requests.withAttributes(r, AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder()
                    .setHttp(r.getAttributes().getRequest().getHttp().toBuilder().setSize(size))));
            assertEquals(429, httpStatus(harness.check(r)), "size " + size);
        }
    }
}
