package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The body fields a reservation is estimated from, including bodies Envoy cut short. */
class RequestEstimateTest {

    private static RequestEstimate of(String body) {
        return RequestEstimate.of(AttributeContext.HttpRequest.newBuilder().setBody(body).build());
    }

    @Test
    void readsModelAndTheLargestOutputLimit() {
        String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"{\\\"max_tokens\\\":9}\"}],"
                + "\"max_tokens\":100,\"max_completion_tokens\":200}";
        RequestEstimate e = of(body);
        assertEquals("gpt-4o", e.model());
        assertEquals(200, e.outputTokens(), "nested fields are not top-level fields");
        assertEquals((body.length() + 3) / 4, e.inputTokens());
        assertEquals(e.inputTokens() + 200, e.tokens());
    }

    @Test
    void aBodyCutByEnvoyKeepsWhatCameBeforeTheCut() {
        RequestEstimate e = RequestEstimate.of(AttributeContext.HttpRequest.newBuilder()
                .setBody("{\"model\":\"m\",\"max_tokens\":50,\"messages\":[{\"content\":\"aaaa").setSize(4_000).build());
        assertEquals("m", e.model());
        assertEquals(50, e.outputTokens());
        assertEquals(1_000, e.inputTokens(), "input counted on the whole body (content-length)");
    }

    @Test
    void aNumberRunningIntoTheCutIsNotTrusted() {
        assertEquals(RequestEstimate.NONE, of("{\"max_tokens\":5").outputTokens(), "5 could be 500 beyond the cut");
        assertEquals(5, of("{\"max_tokens\":5 ").outputTokens());
        assertNull(of("{\"model\":\"gpt-4").model(), "a cut string is not a model");
        assertTrue(of("{\"model\":\"gpt-4").modelUnknown(), "but there is a model: it cannot be read");
    }

    @Test
    void modelEscapes_areDecoded() {
        assertEquals("gpt-4o", of("{\"model\":\"gpt-4\\u006f\"}").model());
        assertEquals("gpt-4o", of("{\"model\":\"gpt-4\\u006F\"}").model());
        assertEquals("org/gpt-4o", of("{\"model\":\"org\\/gpt-4o\"}").model());
        assertEquals("m\"x\\y", of("{\"model\":\"m\\\"x\\\\y\"}").model());
        assertEquals("llama-\uD83D\uDE00", of("{\"model\":\"llama-\\ud83d\\ude00\"}").model(), "a surrogate pair");
        assertEquals("gpt-4o", RequestEstimate.of(AttributeContext.HttpRequest.newBuilder()
                .setRawBody(ByteString.copyFromUtf8("{\"model\":\"gpt-4\\u006f\"}")).build()).model(), "raw bytes too");
        assertEquals("modèle", RequestEstimate.of(AttributeContext.HttpRequest.newBuilder()
                .setRawBody(ByteString.copyFromUtf8("{\"model\":\"modèle\"}")).build()).model(), "UTF-8 in raw bytes");
        assertEquals("gpt-4o", RequestEstimate.modelOnly(AttributeContext.HttpRequest.newBuilder()
                .setBody("{\"model\":\"gpt\\u002d4o\"}").build()).model());
    }

    @Test
    void modelThatCannotBeRead_isUnknownNotAbsent() {
        for (String body : List.of("{\"model\":\"a\\ud83d\"}", "{\"model\":\"a\\u00\"}", "{\"model\":\"a\\q\"}",
                "{\"model\":42}", "{\"model\":\"\\u0000\"}", "{\"model\":\"" + "x".repeat(300) + "\"}",
                "{\"model\":[\"gpt-4o\"]}", "--boundary\r\nContent-Disposition: form-data; name=\"model\"")) {
            RequestEstimate e = of(body);
            assertNull(e.model(), body);
            assertTrue(e.modelUnknown(), body);
        }
        assertFalse(of("{\"max_tokens\":5}").modelUnknown(), "a whole body without a model has none");
        assertFalse(RequestEstimate.of(AttributeContext.HttpRequest.getDefaultInstance()).modelUnknown(), "no body");
        assertFalse(of("{\"model\":\"gpt-4o\"}").modelUnknown());
        assertFalse(of(" \r\n").modelUnknown(), "a blank body names nothing");
    }

    @Test
    void modelAfterTheCut_isUnknown_andTheOutputEstimateConservative() {
        String start = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "a".repeat(9_000);
        RequestEstimate e = RequestEstimate.of(AttributeContext.HttpRequest.newBuilder()
                .setRawBody(ByteString.copyFromUtf8(start.substring(0, 8_192 - 40))).setSize(20_000).build());
        assertNull(e.model());
        assertTrue(e.modelUnknown(), "the model may come after the cut");
        assertEquals(RequestEstimate.CUT_BODY_OUTPUT_TOKENS, e.outputTokens(), "max_tokens may come after the cut too");
        assertEquals(5_000 + RequestEstimate.CUT_BODY_OUTPUT_TOKENS, e.tokens());
    }

    @Test
    void cutBodyWithAnOutputLimitBeforeTheCut_keepsIt() {
        RequestEstimate e = RequestEstimate.of(AttributeContext.HttpRequest.newBuilder()
                .setBody("{\"model\":\"m\",\"max_tokens\":50,\"messages\":[").setSize(9_000).build());
        assertEquals(50, e.outputTokens());
        assertFalse(e.modelUnknown());
    }

    @Test
    void anyInputIsScannedWithoutFailing() {
        java.util.Random random = new java.util.Random(7);
        String alphabet = "{}[]\":,\\ 0123456789.-eamodelxtkns_";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(40);
            for (int k = 0; k < length; k++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            RequestEstimate e = of(b.toString());
            assertTrue(e.outputTokens() >= RequestEstimate.NONE);
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            RequestEstimate.of(AttributeContext.HttpRequest.newBuilder().setRawBody(ByteString.copyFrom(bytes)).build());
        }
    }

    @Test
    void modelOnlyStopsAtTheModel() {
        RequestEstimate e = RequestEstimate.modelOnly(AttributeContext.HttpRequest.newBuilder()
                .setBody("{\"model\":\"m\",\"max_tokens\":50,\"broken").build());
        assertEquals("m", e.model());
        assertEquals(RequestEstimate.NONE, e.outputTokens(), "not read");
    }

    @Test
    void rawBytesAreReadToo() {
        RequestEstimate e = RequestEstimate.of(AttributeContext.HttpRequest.newBuilder()
                .setRawBody(ByteString.copyFromUtf8("{\"max_output_tokens\":7}")).build());
        assertEquals(7, e.outputTokens());
        assertNull(e.model());
    }

    @Test
    void noOutputLimitMeansNoEstimateAndOddValuesAreIgnored() {
        assertEquals(0, of("{\"model\":\"m\"}").tokens());
        assertEquals(RequestEstimate.NONE, of("{\"max_tokens\":-5}").outputTokens());
        assertEquals(RequestEstimate.NONE, of("{\"max_tokens\":1.5}").outputTokens());
        assertEquals(RequestEstimate.NONE, of("{\"max_tokens\":\"100\"}").outputTokens());
        assertEquals(RequestEstimate.NONE, of("{\"max_tokens\":99999999999999999}").outputTokens());
        assertNull(of("{\"model\":42}").model());
        assertNull(of("[1,2]").model());
        assertNull(of("not json").model());
        assertEquals(RequestEstimate.EMPTY, RequestEstimate.of(AttributeContext.HttpRequest.getDefaultInstance()));
        assertNull(of("{\"model\":\"" + "x".repeat(300) + "\"}").model(), "over-long model names are not read");
    }
}
