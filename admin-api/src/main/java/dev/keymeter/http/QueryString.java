package dev.keymeter.http;

import io.grpc.Status;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code a=1&b=x%20y} into names and decoded values; a name given twice is refused. */
final class QueryString {

    private QueryString() {
    }

    static Map<String, String> parse(String rawQuery) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query parameter name");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), "query parameter " + name);
            if (values.put(name, value) != null) {
                throw HttpRefusal.of(Status.Code.INVALID_ARGUMENT, "query parameter " + name + ": given more than once");
            }
        }
        return values;
    }

    /** Form decoding: {@code +} is a space, as browsers and curl --data-urlencode send it. */
    static String decode(String raw, String what) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpRefusal.of(Status.Code.INVALID_ARGUMENT, what + ": malformed percent-encoding");
        }
    }

    /** A path segment: {@code +} is itself there, only %XX is decoded. */
    static String decodePath(String raw, String what) {
        return decode(raw.replace("+", "%2B"), what);
    }
}
