package dev.keymeter.check;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * What a request body tells about the usage to come, when Envoy sends the body with Check
 * ({@code with_request_body}): the {@code model}, and the most output tokens the request may use
 * ({@code max_tokens}, {@code max_completion_tokens} or {@code max_output_tokens}). Only top-level
 * fields of a JSON object are read; a body Envoy cut at {@code max_request_bytes} is read as far as it
 * goes, so fields after the cut are missing, never wrong.
 *
 * <p>The token estimate is the output limit plus the input at about four bytes per token, counted on
 * the whole body ({@code content-length} when Envoy sent only part of it). Without an output limit
 * there is no estimate (0): the budget then admits while anything remains, and the overshoot is bounded
 * by the usage of the requests in flight when the limit is reached (see {@code PeriodBudget}).
 *
 * @param model        the model named, or {@code null} (absent, not a string, or longer than 256 chars)
 * @param inputTokens  input estimate (body bytes / 4, rounded up); 0 without a body
 * @param outputTokens the output limit; {@link #NONE} when the body sets none
 */
record RequestEstimate(String model, long inputTokens, long outputTokens) {

    static final long NONE = -1;
    static final RequestEstimate EMPTY = new RequestEstimate(null, 0, NONE);
    private static final int MAX_MODEL_CHARS = 256;

    /** Estimated tokens for the reservation: 0 (no estimate) unless the body set an output limit. */
    long tokens() {
        return outputTokens == NONE ? 0 : inputTokens + outputTokens;
    }

    static RequestEstimate of(AttributeContext.HttpRequest http) {
        return read(http, false);
    }

    /**
     * Only the model (for keys without limits: their usage is still priced), reading no further than
     * the {@code model} field — the first field of most OpenAI-style bodies.
     */
    static RequestEstimate modelOnly(AttributeContext.HttpRequest http) {
        return read(http, true);
    }

    private static RequestEstimate read(AttributeContext.HttpRequest http, boolean modelOnly) {
        Reader body;
        long bytes;
        if (!http.getRawBody().isEmpty()) {
            body = new InputStreamReader(http.getRawBody().newInput(), StandardCharsets.UTF_8);
            bytes = http.getRawBody().size();
        } else if (!http.getBody().isEmpty()) {
            body = new StringReader(http.getBody());
            bytes = http.getBody().length();
        } else {
            return EMPTY;
        }
        long whole = Math.max(bytes, http.getSize());
        return parse(body, (whole + 3) / 4, modelOnly);
    }

    private static RequestEstimate parse(Reader body, long inputTokens, boolean modelOnly) {
        String model = null;
        long output = NONE;
        try (JsonReader json = new JsonReader(body)) {
            if (json.peek() != JsonToken.BEGIN_OBJECT) {
                return new RequestEstimate(null, inputTokens, NONE);
            }
            json.beginObject();
            while (json.hasNext()) {
                String name = json.nextName();
                JsonToken kind = json.peek();
                if (name.equals("model") && kind == JsonToken.STRING) {
                    String m = json.nextString();
                    model = m.length() <= MAX_MODEL_CHARS ? m : null;
                    if (modelOnly) {
                        break;
                    }
                } else if (isOutputLimit(name) && kind == JsonToken.NUMBER) {
                    long limit = outputLimit(json);
                    if (limit >= 0) {
                        output = Math.max(output, limit);
                    }
                } else {
                    json.skipValue();
                }
            }
        } catch (IOException | IllegalStateException | NumberFormatException cutOrMalformed) {
            // Keep what was read before the cut (Envoy's max_request_bytes) or the malformed part.
        }
        return new RequestEstimate(model, inputTokens, output);
    }

    private static boolean isOutputLimit(String name) {
        return name.equals("max_tokens") || name.equals("max_completion_tokens") || name.equals("max_output_tokens");
    }

    /** A whole non-negative number of tokens; anything else (fractions, negatives, huge) counts as absent. */
    private static long outputLimit(JsonReader json) throws IOException {
        String text = json.nextString();
        if (text.isEmpty() || text.length() > 12 || !text.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(text);
    }
}
