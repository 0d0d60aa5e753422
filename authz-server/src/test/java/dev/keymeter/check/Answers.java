package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.util.List;

/** What tests read from a CheckResponse: HTTP status, headers, JSON error body, metadata. */
final class Answers {

    private Answers() {
    }

    static int httpStatus(CheckResponse r) {
        return r.hasDeniedResponse() ? r.getDeniedResponse().getStatus().getCodeValue() : 200;
    }

    /** The value of {@code name} among {@code headers}, asserting it appears once and overwrites; or null. */
    static String header(List<HeaderValueOption> headers, String name) {
        List<HeaderValueOption> matches = headers.stream().filter(h -> h.getHeader().getKey().equals(name)).toList();
        if (matches.isEmpty()) {
            return null;
        }
        assertEquals(1, matches.size(), name + " set once");
        assertEquals(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD, matches.get(0).getAppendAction(), name);
        return matches.get(0).getHeader().getValue();
    }

    /** The {@code error} object of a denial's JSON body, after checking its content-type. */
    static JsonObject error(CheckResponse r) {
        assertEquals("application/json", header(r.getDeniedResponse().getHeadersList(), "content-type"));
        return JsonParser.parseString(r.getDeniedResponse().getBody()).getAsJsonObject().getAsJsonObject("error");
    }

    /** A string field of the dynamic metadata, or null. */
    static String metadata(CheckResponse r, String field) {
        var value = r.getDynamicMetadata().getFieldsMap().get(field);
        return value == null ? null : value.getStringValue();
    }
}
