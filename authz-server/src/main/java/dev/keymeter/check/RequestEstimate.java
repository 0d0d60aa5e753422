package dev.keymeter.check;

import com.google.protobuf.ByteString;
import dev.keymeter.keys.LimitBound;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;

/**
 * What a request body tells about the usage to come, when Envoy sends the body with Check
 * ({@code with_request_body}): the {@code model}, and the most output tokens the request may use
 * ({@code max_tokens}, {@code max_completion_tokens} or {@code max_output_tokens}). Only top-level
 * fields of a JSON object are read; the model's JSON escapes are decoded (<code>"gpt-4&#92;u006f"</code> is
 * {@code gpt-4o}, {@code \/} is {@code /}, surrogate pairs are one character).
 *
 * <p><b>What is not known is not taken for absent.</b> A body Envoy cut at {@code max_request_bytes}
 * (its content-length is larger than what was sent, or Envoy flagged it partial) is read as far as it
 * goes; a field after the cut may exist. So: a model that could not be read — after the cut, cut in the
 * middle, not a string, a bad escape, control characters, longer than 256 characters, or a body that is
 * not a JSON object — is {@link #modelUnknown()}, and Check applies the unpriced-model policy to it for
 * keys with a cost limit; a cut body without an output limit before the cut is estimated at
 * {@link #CUT_BODY_OUTPUT_TOKENS} output tokens. Only a whole JSON object without a {@code model}
 * field (or no body at all) has no model.
 *
 * <p>The token estimate is the output limit plus the input at about four bytes per token, counted on
 * the whole body ({@code content-length} when Envoy sent only part of it). Without an output limit
 * (in a whole body) there is no estimate (0): the budget then admits while anything remains, and the
 * overshoot is bounded by the usage of the requests in flight when the limit is reached (see
 * {@code PeriodBudget}). All arithmetic saturates ({@link #tokens()}).
 *
 * <p>The body is scanned in place ({@link Scanner}), character by character, without a JSON library:
 * this runs on the hot path, and only three kinds of top-level field matter. Strings are skipped with
 * their escapes, nested objects and arrays by depth; anything that is not valid where it stands ends
 * the scan, keeping what was read before.
 *
 * @param model        the model named, decoded, or {@code null} (absent, or {@link #modelUnknown})
 * @param modelUnknown true when the body may name a model that could not be read
 * @param inputTokens  input estimate (body bytes / 4, rounded up); 0 without a body
 * @param outputTokens the output limit; {@link #NONE} when a whole body sets none (or none that is a
 *                     whole, non-negative number of at most 12 digits); {@link #CUT_BODY_OUTPUT_TOKENS}
 *                     when a cut body sets none before the cut
 */
record RequestEstimate(String model, boolean modelUnknown, long inputTokens, long outputTokens) {

    static final long NONE = -1;
    /**
     * The output tokens assumed for a cut body whose output limit was not seen before the cut: the
     * largest output limit of current chat models is of this order, so the reservation errs high.
     */
    static final long CUT_BODY_OUTPUT_TOKENS = 16_384;
    /** The header Envoy adds to the Check request when it sent only part of the body. */
    static final String PARTIAL_BODY_HEADER = "x-envoy-auth-partial-body";
    static final RequestEstimate EMPTY = new RequestEstimate(null, false, 0, NONE);
    private static final int MAX_MODEL_CHARS = 256;
    private static final int MAX_DIGITS = 12;

    /**
     * Estimated tokens for the reservation: 0 (no estimate) unless the body set an output limit.
     * Saturates at what a token budget holds ({@link LimitBound#TOKENS}): a body claiming a
     * content-length of 2^63 − 1 is an estimate no budget admits, and must be refused as one (429),
     * not fail the Check.
     */
    long tokens() {
        if (outputTokens == NONE) {
            return 0;
        }
        // Both are ≥ 0; the sum is capped before it could overflow.
        long max = LimitBound.TOKENS.max();
        return inputTokens >= max - Math.min(outputTokens, max) ? max : inputTokens + outputTokens;
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
        Scanner scanner;
        ByteString raw = http.getRawBody();
        if (!raw.isEmpty()) {
            scanner = new Scanner(null, raw, raw.size());
        } else if (!http.getBody().isEmpty()) {
            scanner = new Scanner(http.getBody(), null, http.getBody().length());
        } else {
            return EMPTY;
        }
        long whole = Math.max(scanner.n, http.getSize());
        boolean cut = whole > scanner.n || "true".equals(http.getHeadersMap().get(PARTIAL_BODY_HEADER));
        scanner.cutShort = cut;
        boolean complete = scanner.scan(modelOnly);
        boolean modelUnknown = scanner.model == null && (scanner.modelUnreadable || !complete);
        long output = cut && scanner.output == NONE && !modelOnly ? CUT_BODY_OUTPUT_TOKENS : scanner.output;
        // Rounded up without (whole + 3), which overflows for a content-length near 2^63.
        return new RequestEstimate(scanner.model, modelUnknown, whole / 4 + (whole % 4 == 0 ? 0 : 1), output);
    }

    /** A single pass over the top level of one JSON object, on a String or on raw bytes. */
    private static final class Scanner {

        private static final int END = -1;
        private final String text;
        private final ByteString bytes;
        final int n;
        /** Envoy sent only the start of the body. */
        boolean cutShort;
        String model;
        /** A {@code model} field was there, but not as a string this scanner can read. */
        boolean modelUnreadable;
        long output = NONE;

        Scanner(String text, ByteString bytes, int n) {
            this.text = text;
            this.bytes = bytes;
            this.n = n;
        }

        private int at(int i) {
            return text != null ? text.charAt(i) : bytes.byteAt(i) & 0xff;
        }

        /**
         * Reads the top level; true when it reached the object's closing brace (every top-level field
         * was seen), false when it stopped at the cut or at something that is not JSON. Stops early,
         * answering true, once {@code modelOnly} has its model.
         */
        boolean scan(boolean modelOnly) {
            int i = skipSpace(0);
            if (i >= n) {
                return n == 0 || !cutShort; // a blank body names nothing, unless more of it was not sent
            }
            if (at(i) != '{') {
                return false;
            }
            i++;
            while (true) {
                i = skipSpace(i);
                if (i >= n) {
                    return false;
                }
                int c = at(i);
                if (c == ',') {
                    i++;
                    continue;
                }
                if (c != '"') {
                    return c == '}'; // the end, or not JSON
                }
                int keyStart = i + 1;
                int afterKey = endOfString(i);
                if (afterKey == END) {
                    return false;
                }
                int keyEnd = afterKey - 1;
                i = skipSpace(afterKey);
                if (i >= n || at(i) != ':') {
                    return false;
                }
                i = skipSpace(i + 1);
                if (i >= n) {
                    return false;
                }
                if (keyIs(keyStart, keyEnd, "model")) {
                    int after = at(i) == '"' ? endOfString(i) : skipValue(i);
                    if (after == END) {
                        return false;
                    }
                    model = at(i) == '"' ? modelString(i + 1, after - 1) : null;
                    modelUnreadable = model == null;
                    if (modelOnly && model != null) {
                        return true;
                    }
                    i = after;
                } else if (!modelOnly && isOutputLimit(keyStart, keyEnd)) {
                    i = number(i);
                } else {
                    i = skipValue(i);
                }
                if (i == END) {
                    return false;
                }
            }
        }

        /** Reads an output limit at {@code i}; returns where the value ends, or END at the cut. */
        private int number(int i) {
            int j = i;
            long value = 0;
            while (j < n && at(j) >= '0' && at(j) <= '9') {
                value = value * 10 + (at(j) - '0');
                j++;
            }
            if (j >= n) {
                return END; // the number may go on beyond the cut: not trusted
            }
            int next = at(j);
            boolean whole = j > i && j - i <= MAX_DIGITS && next != '.' && next != 'e' && next != 'E';
            if (whole) {
                output = Math.max(output, value);
                return j;
            }
            return skipValue(i); // fractions, negatives, strings, huge numbers: not an output limit
        }

        private boolean isOutputLimit(int from, int to) {
            return keyIs(from, to, "max_tokens") || keyIs(from, to, "max_completion_tokens")
                    || keyIs(from, to, "max_output_tokens");
        }

        private boolean keyIs(int from, int to, String name) {
            if (to - from != name.length()) {
                return false;
            }
            for (int k = 0; k < name.length(); k++) {
                if (at(from + k) != name.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The JSON string between the quotes at {@code from - 1} and {@code to}, decoded ({@link
         * JsonStrings#decode}); null when it cannot be read or is longer than {@value #MAX_MODEL_CHARS}
         * characters. Raw bytes must be UTF-8.
         */
        private String modelString(int from, int to) {
            if (to - from > 6 * MAX_MODEL_CHARS) { // six bytes per character at most (an escape of a UTF-16 unit)
                return null;
            }
            String raw;
            if (text != null) {
                raw = text.substring(from, to);
            } else {
                ByteString part = bytes.substring(from, to);
                if (!part.isValidUtf8()) {
                    return null;
                }
                raw = part.toStringUtf8();
            }
            String decoded = JsonStrings.decode(raw);
            return decoded == null || decoded.length() > MAX_MODEL_CHARS ? null : decoded;
        }

        /** Index after the string that starts with the quote at {@code i}, or END if it is cut. */
        private int endOfString(int i) {
            for (int j = i + 1; j < n; j++) {
                int c = at(j);
                if (c == '\\') {
                    j++;
                } else if (c == '"') {
                    return j + 1;
                }
            }
            return END;
        }

        /** Index after the value at {@code i} (string, object, array, number or literal), or END. */
        private int skipValue(int i) {
            int c = at(i);
            if (c == '"') {
                return endOfString(i);
            }
            if (c == '{' || c == '[') {
                int depth = 0;
                for (int j = i; j < n; j++) {
                    int d = at(j);
                    if (d == '"') {
                        j = endOfString(j);
                        if (j == END) {
                            return END;
                        }
                        j--; // the loop's j++ lands after the string
                    } else if (d == '{' || d == '[') {
                        depth++;
                    } else if (d == '}' || d == ']') {
                        depth--;
                        if (depth == 0) {
                            return j + 1;
                        }
                    }
                }
                return END;
            }
            int j = i;
            while (j < n) {
                int d = at(j);
                if (d == ',' || d == '}' || d == ']' || d == ' ' || d == '\t' || d == '\n' || d == '\r') {
                    return j;
                }
                j++;
            }
            return END;
        }

        private int skipSpace(int i) {
            while (i < n) {
                int c = at(i);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return i;
                }
                i++;
            }
            return i;
        }
    }
}
