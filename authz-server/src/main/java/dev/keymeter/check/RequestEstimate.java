package dev.keymeter.check;

import com.google.protobuf.ByteString;
import dev.keymeter.keys.LimitBound;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;

/**
 * What a request body tells about the usage to come, when Envoy sends the body with Check
 * ({@code with_request_body}): the {@code model}, and the most output tokens the request may use
 * ({@code max_tokens}, {@code max_completion_tokens} or {@code max_output_tokens}). Only top-level
 * fields of a JSON object are read; a body Envoy cut at {@code max_request_bytes} is read as far as it
 * goes, so fields after the cut are missing, never wrong (a number that runs into the cut is dropped).
 *
 * <p>The token estimate is the output limit plus the input at about four bytes per token, counted on
 * the whole body ({@code content-length} when Envoy sent only part of it). Without an output limit
 * there is no estimate (0): the budget then admits while anything remains, and the overshoot is bounded
 * by the usage of the requests in flight when the limit is reached (see {@code PeriodBudget}).
 *
 * <p>The body is scanned in place ({@link Scanner}), character by character, without a JSON library:
 * this runs on the hot path, and only three kinds of top-level field matter. Strings are skipped with
 * their escapes, nested objects and arrays by depth; anything that is not valid where it stands ends
 * the scan, keeping what was read before.
 *
 * @param model        the model named, or {@code null} (absent, not a plain printable-ASCII string of at
 *                     most 256 characters, or after the cut)
 * @param inputTokens  input estimate (body bytes / 4, rounded up); 0 without a body
 * @param outputTokens the output limit; {@link #NONE} when the body sets none (or none that is a whole,
 *                     non-negative number of at most 12 digits)
 */
record RequestEstimate(String model, long inputTokens, long outputTokens) {

    static final long NONE = -1;
    static final RequestEstimate EMPTY = new RequestEstimate(null, 0, NONE);
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
        scanner.scan(modelOnly);
        // Rounded up without (whole + 3), which overflows for a content-length near 2^63.
        return new RequestEstimate(scanner.model, whole / 4 + (whole % 4 == 0 ? 0 : 1), scanner.output);
    }

    /** A single pass over the top level of one JSON object, on a String or on raw bytes. */
    private static final class Scanner {

        private static final int END = -1;
        private final String text;
        private final ByteString bytes;
        final int n;
        String model;
        long output = NONE;

        Scanner(String text, ByteString bytes, int n) {
            this.text = text;
            this.bytes = bytes;
            this.n = n;
        }

        private int at(int i) {
            return text != null ? text.charAt(i) : bytes.byteAt(i) & 0xff;
        }

        void scan(boolean modelOnly) {
            int i = skipSpace(0);
            if (i >= n || at(i) != '{') {
                return;
            }
            i++;
            while (true) {
                i = skipSpace(i);
                if (i >= n) {
                    return;
                }
                int c = at(i);
                if (c == ',') {
                    i++;
                    continue;
                }
                if (c != '"') {
                    return; // '}' (the end) or not JSON
                }
                int keyStart = i + 1;
                int afterKey = endOfString(i);
                if (afterKey == END) {
                    return;
                }
                int keyEnd = afterKey - 1;
                i = skipSpace(afterKey);
                if (i >= n || at(i) != ':') {
                    return;
                }
                i = skipSpace(i + 1);
                if (i >= n) {
                    return;
                }
                if (keyIs(keyStart, keyEnd, "model") && at(i) == '"') {
                    int after = endOfString(i);
                    if (after == END) {
                        return;
                    }
                    model = plainString(i + 1, after - 1);
                    if (modelOnly) {
                        return;
                    }
                    i = after;
                } else if (!modelOnly && isOutputLimit(keyStart, keyEnd)) {
                    i = number(i);
                } else {
                    i = skipValue(i);
                }
                if (i == END) {
                    return;
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

        /** The string between {@code from} and {@code to} if plain printable ASCII and short, else null. */
        private String plainString(int from, int to) {
            if (to - from > MAX_MODEL_CHARS) {
                return null;
            }
            char[] chars = new char[to - from];
            for (int k = from; k < to; k++) {
                int c = at(k);
                if (c < 0x20 || c > 0x7e || c == '\\') {
                    return null;
                }
                chars[k - from] = (char) c;
            }
            return new String(chars);
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
