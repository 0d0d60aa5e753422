package dev.keymeter.checkcli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a sidecar decided about one request, read from its CheckResponse the way Envoy reads it.
 *
 * @param allowed     whether Envoy would pass the request upstream
 * @param httpStatus  the status the client sees: 200 when allowed (the upstream's, in truth), else the denial's
 * @param reason      the precise reason: the sidecar's {@code denial_reason} metadata, else the error body's
 *                    {@code code}, else {@code allowed}
 * @param message     the error body's message shown to the client ({@code ""} when allowed)
 * @param headers     headers Envoy would set: on the upstream request when allowed, on the denial otherwise
 * @param responseHeaders headers Envoy would add to the client's response when allowed
 * @param removed     request headers Envoy would remove before the upstream (the token's, among them)
 * @param budgets     the key's limits and what remains, from the {@code x-ratelimit-*} and
 *                    {@code x-keymeter-budget-*} headers of either kind
 * @param metadata    the dynamic metadata (key id, project id, reservation id, model, denial reason)
 */
record CheckOutcome(boolean allowed, int httpStatus, String reason, String message, List<Header> headers,
        List<Header> responseHeaders, List<String> removed, Map<String, String> budgets,
        Map<String, String> metadata) {

    /** One header and how Envoy applies it ({@code OVERWRITE_IF_EXISTS_OR_ADD}, {@code APPEND_IF_EXISTS_OR_ADD}…). */
    record Header(String name, String value, String action) {
    }

    static CheckOutcome of(CheckResponse response) {
        Map<String, String> metadata = metadata(response.getDynamicMetadata());
        if (response.getStatus().getCode() == 0) {
            List<Header> upstream = headers(response.getOkResponse().getHeadersList());
            List<Header> downstream = headers(response.getOkResponse().getResponseHeadersToAddList());
            return new CheckOutcome(true, 200, metadata.getOrDefault("denial_reason", "allowed"), "", upstream,
                    downstream, List.copyOf(response.getOkResponse().getHeadersToRemoveList()),
                    budgets(upstream, downstream), metadata);
        }
        var denied = response.getDeniedResponse();
        List<Header> headers = headers(denied.getHeadersList());
        JsonObject error = errorObject(denied.getBody());
        String code = text(error, "code");
        String reason = metadata.getOrDefault("denial_reason", code.isEmpty() ? "denied" : code);
        int status = denied.hasStatus() ? denied.getStatus().getCodeValue() : 403;
        return new CheckOutcome(false, status, reason, text(error, "message"), headers, List.of(), List.of(),
                budgets(headers, List.of()), metadata);
    }

    private static List<Header> headers(List<HeaderValueOption> options) {
        List<Header> out = new ArrayList<>(options.size());
        for (HeaderValueOption o : options) {
            out.add(new Header(o.getHeader().getKey(), o.getHeader().getValue(), o.getAppendAction().name()));
        }
        return List.copyOf(out);
    }

    private static Map<String, String> budgets(List<Header> first, List<Header> second) {
        Map<String, String> budgets = new LinkedHashMap<>();
        for (List<Header> list : List.of(first, second)) {
            for (Header h : list) {
                String name = h.name().toLowerCase(Locale.ROOT);
                if (name.startsWith("x-ratelimit-") || name.startsWith("x-keymeter-budget-")) {
                    budgets.put(name, h.value());
                }
            }
        }
        return budgets;
    }

    private static Map<String, String> metadata(Struct struct) {
        Map<String, String> out = new LinkedHashMap<>();
        struct.getFieldsMap().forEach((k, v) -> out.put(k, v.getKindCase() == Value.KindCase.STRING_VALUE
                ? v.getStringValue() : v.toString().strip()));
        return out;
    }

    /** The OpenAI-shaped {@code {"error":{…}}} body, or an empty object when the body is anything else. */
    private static JsonObject errorObject(String body) {
        try {
            var root = JsonParser.parseString(body);
            if (root.isJsonObject() && root.getAsJsonObject().has("error")
                    && root.getAsJsonObject().get("error").isJsonObject()) {
                return root.getAsJsonObject().getAsJsonObject("error");
            }
        } catch (JsonSyntaxException notJson) {
            // a body that is not JSON has no code: the metadata's reason stands
        }
        return new JsonObject();
    }

    private static String text(JsonObject o, String field) {
        return o.has(field) && o.get(field).isJsonPrimitive() ? o.get(field).getAsString() : "";
    }
}
