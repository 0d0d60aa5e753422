package dev.keymeter.check;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import dev.keymeter.keys.LimitBound;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the request-body scanner ({@link RequestEstimate}) with any body, as raw bytes or as text, and
 * any content-length: it never throws, and what it reads stays within what Check can use — a model of
 * at most 256 characters without control characters, estimates that are never negative, and a token
 * estimate no larger than a token budget holds.
 *
 * <p>{@code mvn verify} replays the seed inputs under {@code RequestEstimateFuzzTestInputs/}; how to
 * fuzz is in docs/fuzzing.md.
 */
class RequestEstimateFuzzTest {

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void estimate_fuzzedBody_staysWithinBounds(FuzzedDataProvider data) {
        AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder();
        http.setSize(data.consumeBoolean() ? data.consumeLong() : data.consumeLong(-1, 1 << 20));
        boolean raw = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();
        if (raw) {
            http.setRawBody(ByteString.copyFrom(body));
        } else {
            http.setBody(new String(body, StandardCharsets.UTF_8));
        }
        check(RequestEstimate.of(http.build()));
        check(RequestEstimate.modelOnly(http.build()));
    }

    private static void check(RequestEstimate estimate) {
        String model = estimate.model();
        if (model != null) {
            assertTrue(model.length() <= 256, () -> "model of " + model.length() + " characters");
            assertTrue(model.chars().noneMatch(Character::isISOControl), () -> "model with a control character");
        }
        assertTrue(estimate.inputTokens() >= 0, () -> "input estimate " + estimate.inputTokens());
        assertTrue(estimate.outputTokens() >= 0 || estimate.outputTokens() == RequestEstimate.NONE,
                () -> "output limit " + estimate.outputTokens());
        long tokens = estimate.tokens();
        assertTrue(tokens >= 0 && tokens <= LimitBound.TOKENS.max(), () -> "token estimate " + tokens);
    }
}
