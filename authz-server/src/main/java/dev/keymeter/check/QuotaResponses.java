package dev.keymeter.check;

import com.google.protobuf.Struct;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.keymeter.quota.BudgetProbe;
import dev.keymeter.quota.QuotaDecision;
import dev.keymeter.quota.RateProbe;
import dev.keymeter.replica.ReplicaEntry;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The answers that depend on a key's counters.
 *
 * <p><b>Rate-limit headers</b>, OpenAI style, on allowed responses (Envoy adds
 * {@code response_headers_to_add} to the upstream's response) and on 429s — only for the limits the key
 * has: {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests},
 * {@code x-ratelimit-reset-requests}, the same three for tokens, and
 * {@code x-keymeter-budget-remaining-usd}. Remaining counts include this request. A {@code reset} is
 * OpenAI's: the time until the limit is back to its initial state (all of it free again) — for the
 * rolling minute, until the newest counted request leaves the window (about 60 s after a request);
 * for tokens, until the period ends — in OpenAI's duration form ({@code 20ms}, {@code 1s},
 * {@code 6m0s}); absent when the limit never resets.
 *
 * <p><b>429</b>, with OpenAI's type and code for the limit ({@link QuotaDecision.Limit}) and
 * {@code retry-after} in whole seconds until the request would be admitted, from the real window or
 * period state (absent when the budget never resets); {@code x-should-retry: false} when that is more
 * than {@link #MAX_RETRY_MILLIS} or never.
 */
final class QuotaResponses {

    static final String LIMIT_REQUESTS = "x-ratelimit-limit-requests";
    static final String REMAINING_REQUESTS = "x-ratelimit-remaining-requests";
    static final String RESET_REQUESTS = "x-ratelimit-reset-requests";
    static final String LIMIT_TOKENS = "x-ratelimit-limit-tokens";
    static final String REMAINING_TOKENS = "x-ratelimit-remaining-tokens";
    static final String RESET_TOKENS = "x-ratelimit-reset-tokens";
    static final String BUDGET_REMAINING_USD = "x-keymeter-budget-remaining-usd";
    static final String RETRY_AFTER = "retry-after";
    static final String SHOULD_RETRY = "x-should-retry";
    /**
     * Beyond this wait, a 429 says {@code x-should-retry: false}: OpenAI's SDKs obey that header before
     * any other, and would otherwise sleep for the whole {@code retry-after} (days, for a monthly
     * budget) inside the caller's request. The longest wait for the rolling minute (61 whole seconds),
     * so that a requests-per-minute 429 stays retryable.
     */
    static final long MAX_RETRY_MILLIS = 61_000;

    private static final CheckResponse MODEL_NOT_PRICED = denial(StatusCode.Forbidden, Code.PERMISSION_DENIED,
            "The requested model has no price configured in keymeter, and this API key has a cost limit, so its "
                    + "spend could not be metered. Ask an administrator to add the model's price.",
            "invalid_request_error", "model_not_priced", List.of());
    private static final CheckResponse MODEL_UNREADABLE = denial(StatusCode.Forbidden, Code.PERMISSION_DENIED,
            "The model could not be read from the request body (it is missing from the part of the body the "
                    + "gateway inspects, or is not a JSON string), and this API key has a cost limit, so its spend "
                    + "could not be metered. Put \"model\" near the start of the JSON body.",
            "invalid_request_error", "model_not_priced", List.of());
    private static final CheckResponse SPEND_UNKNOWN = denial(StatusCode.Forbidden, Code.PERMISSION_DENIED,
            "This API key has a cost limit, and usage of a model without a configured price was charged to it, so "
                    + "its spend is no longer known. Ask an administrator to add the model's price and reset the "
                    + "key's usage.",
            "invalid_request_error", "model_not_priced", List.of());
    private static final CheckResponse COUNTERS_FULL = denial(StatusCode.ServiceUnavailable, Code.UNAVAILABLE,
            "The gateway cannot track this API key's limits right now. Try again later.",
            "server_error", "limits_unavailable", List.of());

    private QuotaResponses() {
    }

    /** {@code base} (an allowed response) with the rate-limit headers and the reservation in its metadata. */
    static CheckResponse allowed(CheckResponse base, ReplicaEntry key, QuotaDecision d, String reservationId,
            String model, long now, HeaderCache cache) {
        CheckResponse.Builder b = base.toBuilder();
        OkHttpResponse.Builder ok = b.getOkResponseBuilder();
        ok.addAllResponseHeadersToAdd(headers(key, d, now, cache));
        if (reservationId != null || model != null) {
            Struct.Builder metadata = b.getDynamicMetadataBuilder();
            if (reservationId != null) {
                metadata.putFields(DynamicMetadata.RESERVATION_ID, DynamicMetadata.text(reservationId));
            }
            if (model != null) {
                metadata.putFields(DynamicMetadata.MODEL, DynamicMetadata.text(model));
            }
        }
        return b.build();
    }

    /** {@code base} with the model in its metadata (keys without limits: usage is still priced later). */
    static CheckResponse withModel(CheckResponse base, String model) {
        CheckResponse.Builder b = base.toBuilder();
        b.getDynamicMetadataBuilder().putFields(DynamicMetadata.MODEL, DynamicMetadata.text(model));
        return b.build();
    }

    /** The 429 for a refused decision. */
    static CheckResponse refused(ReplicaEntry key, QuotaDecision d, long now, HeaderCache cache) {
        QuotaDecision.Limit limit = d.refusedBy();
        List<HeaderValueOption> headers = new ArrayList<>(headers(key, d, now, cache));
        long retryAfterMillis = switch (limit) {
            case REQUESTS_PER_MINUTE -> d.requests().resetAfterMillis();
            case TOKENS -> d.tokens().periodEndMillis() - now;
            case COST -> d.cost().periodEndMillis() - now;
        };
        long endOfTime = Long.MAX_VALUE / 2;
        boolean resets = limit == QuotaDecision.Limit.REQUESTS_PER_MINUTE
                ? d.requests().resetAfterMillis() < endOfTime
                : (limit == QuotaDecision.Limit.TOKENS ? d.tokens() : d.cost()).periodEndMillis() < endOfTime;
        String message = switch (limit) {
            case REQUESTS_PER_MINUTE -> "Rate limit reached: this API key allows " + key.requestsPerMinute
                    + " requests per minute.";
            case TOKENS -> "Token limit reached: this API key allows " + key.tokenLimit + " tokens "
                    + per(key) + ".";
            case COST -> "Budget exhausted: this API key allows " + usd(key.costLimitMicroUsd) + " USD " + per(key) + ".";
        };
        if (resets) {
            long seconds = Math.max(1, (retryAfterMillis + 999) / 1000);
            headers.add(Headers.overwrite(RETRY_AFTER, Long.toString(seconds)));
            message += " Retry after " + seconds + " s.";
        } else {
            message += " The limit does not reset; ask an administrator to raise it.";
        }
        if (!resets || retryAfterMillis > MAX_RETRY_MILLIS) {
            headers.add(Headers.overwrite(SHOULD_RETRY, "false"));
        }
        CheckResponse base = denial(StatusCode.TooManyRequests, Code.RESOURCE_EXHAUSTED, message, limit.type(),
                limit.code(), headers);
        return base.toBuilder()
                .setDynamicMetadata(DynamicMetadata.denial(reasonOf(limit), key.keyId))
                .build();
    }

    static CheckResponse modelNotPriced(String keyId) {
        return MODEL_NOT_PRICED.toBuilder()
                .setDynamicMetadata(DynamicMetadata.denial(DenialReason.MODEL_NOT_PRICED, keyId)).build();
    }

    static CheckResponse modelUnreadable(String keyId) {
        return MODEL_UNREADABLE.toBuilder()
                .setDynamicMetadata(DynamicMetadata.denial(DenialReason.MODEL_NOT_PRICED, keyId)).build();
    }

    static CheckResponse spendUnknown(String keyId) {
        return SPEND_UNKNOWN.toBuilder()
                .setDynamicMetadata(DynamicMetadata.denial(DenialReason.MODEL_NOT_PRICED, keyId)).build();
    }

    static CheckResponse countersFull(String keyId) {
        return COUNTERS_FULL.toBuilder()
                .setDynamicMetadata(DynamicMetadata.denial(DenialReason.COUNTERS_FULL, keyId)).build();
    }

    static DenialReason reasonOf(QuotaDecision.Limit limit) {
        return switch (limit) {
            case REQUESTS_PER_MINUTE -> DenialReason.REQUESTS_PER_MINUTE;
            case TOKENS -> DenialReason.TOKEN_LIMIT;
            case COST -> DenialReason.COST_LIMIT;
        };
    }

    private static List<HeaderValueOption> headers(ReplicaEntry key, QuotaDecision d, long now, HeaderCache cache) {
        List<HeaderValueOption> out = new ArrayList<>(7);
        RateProbe r = d.requests();
        if (key.requestsPerMinute != ReplicaEntry.NO_LIMIT) {
            out.add(cache.get(LIMIT_REQUESTS, key.requestsPerMinute, HeaderCache.Format.NUMBER));
            out.add(cache.get(REMAINING_REQUESTS, r == null ? 0 : r.remaining(), HeaderCache.Format.NUMBER));
            if (r != null && r.resetAfterMillis() < Long.MAX_VALUE / 2) {
                out.add(cache.get(RESET_REQUESTS, durationKey(r.emptyAfterMillis()), HeaderCache.Format.DURATION));
            }
        }
        BudgetProbe t = d.tokens();
        if (key.tokenLimit != ReplicaEntry.NO_LIMIT && t != null) {
            out.add(cache.get(LIMIT_TOKENS, key.tokenLimit, HeaderCache.Format.NUMBER));
            out.add(cache.get(REMAINING_TOKENS, t.remaining(), HeaderCache.Format.NUMBER));
            if (t.periodEndMillis() < Long.MAX_VALUE / 2) {
                out.add(cache.get(RESET_TOKENS, durationKey(t.periodEndMillis() - now), HeaderCache.Format.DURATION));
            }
        }
        BudgetProbe c = d.cost();
        if (key.costLimitMicroUsd != ReplicaEntry.NO_LIMIT && c != null) {
            out.add(cache.get(BUDGET_REMAINING_USD, c.remaining(), HeaderCache.Format.USD));
        }
        return out;
    }

    /**
     * {@code millis} as {@link #duration} shows it, as a number: below a second the milliseconds,
     * above whole seconds rounded up (in milliseconds), so equal texts are equal cache keys.
     */
    static long durationKey(long millis) {
        return millis < 1000 ? Math.max(0, millis) : (millis + 999) / 1000 * 1000;
    }

    /**
     * Micro-USD as a plain decimal USD amount, e.g. {@code 12.5}, {@code 3} or {@code 0.000001}
     * (what {@code BigDecimal.valueOf(microUsd, 6).stripTrailingZeros().toPlainString()} gives for
     * non-negative amounts, at a fraction of its cost on the hot path).
     */
    static String usd(long microUsd) {
        long whole = microUsd / 1_000_000;
        long fraction = microUsd % 1_000_000;
        if (fraction == 0) {
            return Long.toString(whole);
        }
        int digits = 6;
        while (fraction % 10 == 0) {
            fraction /= 10;
            digits--;
        }
        String f = Long.toString(fraction);
        StringBuilder b = new StringBuilder(24).append(whole).append('.');
        for (int i = f.length(); i < digits; i++) {
            b.append('0');
        }
        return b.append(f).toString();
    }

    /**
     * OpenAI's duration form (Go's): {@code 0s}, {@code 20ms} below a second, then whole seconds rounded
     * up: {@code 12s}, {@code 6m0s}, {@code 26h3m1s}.
     */
    static String duration(long millis) {
        if (millis <= 0) {
            return "0s";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        long s = (millis + 999) / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        return (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
    }

    private static String per(ReplicaEntry key) {
        return switch (key.resetPeriod) {
            case NEVER -> "in total";
            case DAILY -> "per day (UTC)";
            case WEEKLY -> "per week (UTC, from Monday)";
            case MONTHLY -> "per calendar month (UTC)";
        };
    }

    private static CheckResponse denial(StatusCode status, Code code, String message, String type, String errorCode,
            List<HeaderValueOption> headers) {
        DeniedHttpResponse.Builder denied = DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCode(status))
                .addHeaders(Headers.overwrite(Headers.CONTENT_TYPE, "application/json"))
                .addAllHeaders(headers)
                .setBody(JsonError.body(message, type, errorCode));
        return CheckResponse.newBuilder()
                .setStatus(Status.newBuilder().setCode(code.getNumber()))
                .setDeniedResponse(denied)
                .build();
    }
}
