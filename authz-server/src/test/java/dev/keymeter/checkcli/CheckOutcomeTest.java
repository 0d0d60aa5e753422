package dev.keymeter.checkcli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading a CheckResponse as Envoy does; the sidecar's own answers are covered by DistributionIT. */
class CheckOutcomeTest {

    private static HeaderValueOption header(String name, String value) {
        return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD).build();
    }

    @Test
    void outcome_denialWithBodyAndMetadata_reasonFromMetadataMessageFromBody() {
        CheckResponse denied = CheckResponse.newBuilder().setStatus(Status.newBuilder().setCode(7))
                .setDeniedResponse(DeniedHttpResponse.newBuilder().setStatus(HttpStatus.newBuilder().setCodeValue(429))
                        .addHeaders(header("x-ratelimit-remaining-requests", "0"))
                        .setBody("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                                + "\"code\":\"rate_limit_exceeded\"}}"))
                .setDynamicMetadata(Struct.newBuilder()
                        .putFields("denial_reason", Value.newBuilder().setStringValue("rpm_limit").build())
                        .putFields("key_id", Value.newBuilder().setStringValue("key_1").build()))
                .build();
        CheckOutcome o = CheckOutcome.of(denied);
        assertFalse(o.allowed());
        assertEquals(429, o.httpStatus());
        assertEquals("rpm_limit", o.reason());
        assertEquals("Rate limit reached", o.message());
        assertEquals(Map.of("x-ratelimit-remaining-requests", "0"), o.budgets());
        assertEquals("key_1", o.metadata().get("key_id"));
    }

    @Test
    void outcome_denialWithoutMetadata_reasonIsTheBodysCode() {
        CheckResponse denied = CheckResponse.newBuilder().setStatus(Status.newBuilder().setCode(16))
                .setDeniedResponse(DeniedHttpResponse.newBuilder().setStatus(HttpStatus.newBuilder().setCodeValue(401))
                        .setBody("{\"error\":{\"message\":\"no key\",\"code\":\"invalid_api_key\"}}"))
                .build();
        assertEquals("invalid_api_key", CheckOutcome.of(denied).reason());
    }

    @Test
    void outcome_allowed_headersBudgetsAndRemovedHeaders_printedWithoutSecrets() {
        CheckResponse ok = CheckResponse.newBuilder().setStatus(Status.newBuilder().setCode(0))
                .setOkResponse(OkHttpResponse.newBuilder().addHeaders(header("x-keymeter-key-id", "key_1"))
                        .addResponseHeadersToAdd(header("x-keymeter-budget-remaining-usd", "24.50"))
                        .addHeadersToRemove("authorization"))
                .build();
        CheckOutcome o = CheckOutcome.of(ok);
        assertTrue(o.allowed());
        assertEquals(200, o.httpStatus());
        assertEquals("allowed", o.reason());
        assertEquals(Map.of("x-keymeter-budget-remaining-usd", "24.50"), o.budgets());
        StringWriter text = new StringWriter();
        ProbeRequest request = ProbeRequest.of("post", "/v1/chat/completions", "authorization", "kmu_secret",
                Map.of(), null);
        OutcomePrinter.text(o, request, new PrintWriter(text));
        assertTrue(text.toString().contains("x-keymeter-key-id: key_1  (OVERWRITE_IF_EXISTS_OR_ADD)"), text::toString);
        assertTrue(text.toString().contains("headers removed before the upstream: authorization"), text::toString);
        assertFalse(text.toString().contains("kmu_secret"), text::toString);
        assertEquals("Bearer kmu_secret", request.toCheckRequest().getAttributes().getRequest().getHttp()
                .getHeadersOrThrow("authorization"));
        assertEquals("POST", request.method());
    }
}
