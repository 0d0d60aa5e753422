package dev.keymeter.check;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What Check reads from one request's headers, gathered in one pass over each encoding Envoy may use
 * (design §4): the {@code headers} map (lower-case names, pseudo-headers included) and
 * {@code header_map} (as sent by gRPC clients and by Envoy with {@code encode_raw_headers}; values in
 * {@code raw_value} bytes, or {@code value}). The first copy of a token header wins.
 *
 * <p>Thread-confined and reused: {@link #read} resets it. Per request it allocates only the
 * {@code headers} map's key iterator and, rarely, the lower-case copy of a client-sent
 * {@code x-keymeter-*} name or the {@code :method} / {@code :path} of a request that left
 * {@code method} / {@code path} empty. Token values are never copied into Strings.
 */
final class RequestHeaders {

    private String[] names = new String[0];
    private boolean[] bearer = new boolean[0];
    private CharSequence[] values = new CharSequence[0];
    private ByteStringChars[] rawValues = new ByteStringChars[0];
    /** Client-sent {@code x-keymeter-*} names, lower case, each once. */
    private final List<String> identityHeaders = new ArrayList<>(4);
    private String method;
    private String path;
    private int tokenHeader;
    private int tokenFrom;
    private int tokenTo;

    void read(AttributeContext.HttpRequest http, String[] tokenHeaders) {
        reset(tokenHeaders);
        method = http.getMethod();
        path = http.getPath();
        Map<String, String> map = http.getHeadersMap();
        if (!map.isEmpty()) {
            readMap(map);
        }
        if (http.hasHeaderMap()) {
            readList(http.getHeaderMap());
        }
    }

    private void reset(String[] tokenHeaders) {
        if (names != tokenHeaders) { // settings changed since this thread last read: re-size once
            names = tokenHeaders;
            bearer = new boolean[names.length];
            values = new CharSequence[names.length];
            rawValues = new ByteStringChars[names.length];
            for (int i = 0; i < names.length; i++) {
                bearer[i] = CheckSettings.usesBearerScheme(names[i]);
                rawValues[i] = new ByteStringChars();
            }
        }
        Arrays.fill(values, null);
        identityHeaders.clear();
        tokenHeader = -1;
    }

    private void readMap(Map<String, String> map) {
        for (int i = 0; i < names.length; i++) {
            values[i] = map.get(names[i]);
        }
        for (String name : map.keySet()) {
            noteIdentityHeader(name);
        }
        if (method.isEmpty()) {
            method = map.getOrDefault(":method", "");
        }
        if (path.isEmpty()) {
            path = map.getOrDefault(":path", "");
        }
    }

    private void readList(HeaderMap list) {
        for (int j = 0, n = list.getHeadersCount(); j < n; j++) {
            HeaderValue header = list.getHeaders(j);
            String name = header.getKey();
            if (noteIdentityHeader(name)) {
                continue;
            }
            for (int i = 0; i < names.length; i++) {
                if (values[i] == null && name.equalsIgnoreCase(names[i])) {
                    values[i] = valueOf(header, rawValues[i]);
                }
            }
            if (method.isEmpty() && name.equals(":method")) {
                method = valueOf(header, new ByteStringChars()).toString();
            } else if (path.isEmpty() && name.equals(":path")) {
                path = valueOf(header, new ByteStringChars()).toString();
            }
        }
    }

    private static CharSequence valueOf(HeaderValue header, ByteStringChars reusable) {
        ByteString raw = header.getRawValue();
        return raw.isEmpty() ? header.getValue() : reusable.wrap(raw);
    }

    private boolean noteIdentityHeader(String name) {
        if (!name.regionMatches(true, 0, CheckSettings.IDENTITY_HEADER_PREFIX, 0,
                CheckSettings.IDENTITY_HEADER_PREFIX.length())) {
            return false;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (!identityHeaders.contains(lower)) {
            identityHeaders.add(lower);
        }
        return true;
    }

    /**
     * Finds the token: the first configured header, in order of preference, that carries one. A
     * header carries none when it is empty, or (for {@code authorization}) its scheme is not Bearer.
     */
    boolean findToken() {
        for (int i = 0; i < names.length; i++) {
            CharSequence v = values[i];
            if (v == null) {
                continue;
            }
            int to = v.length();
            while (to > 0 && isSpace(v.charAt(to - 1))) {
                to--;
            }
            int from = bearer[i] ? afterBearer(v, to) : skipSpaces(v, 0, to);
            if (from >= 0 && from < to) {
                tokenHeader = i;
                tokenFrom = from;
                tokenTo = to;
                return true;
            }
        }
        return false;
    }

    /** The index after {@code Bearer} (any case) and the spaces that follow it; -1 for another scheme. */
    private static int afterBearer(CharSequence v, int to) {
        int from = skipSpaces(v, 0, to);
        String scheme = "bearer";
        if (to - from <= scheme.length() || !isSpace(v.charAt(from + scheme.length()))) {
            return -1;
        }
        for (int i = 0; i < scheme.length(); i++) {
            if (Character.toLowerCase(v.charAt(from + i)) != scheme.charAt(i)) {
                return -1;
            }
        }
        return skipSpaces(v, from + scheme.length(), to);
    }

    private static int skipSpaces(CharSequence v, int from, int to) {
        while (from < to && isSpace(v.charAt(from))) {
            from++;
        }
        return from;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** The value holding the token found by {@link #findToken}; valid until the next {@link #read}. */
    CharSequence tokenValue() {
        return values[tokenHeader];
    }

    int tokenFrom() {
        return tokenFrom;
    }

    int tokenTo() {
        return tokenTo;
    }

    /** Bit {@code i} set when the request carried the {@code i}-th configured token header, token or not. */
    int tokenHeadersSent() {
        int sent = 0;
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                sent |= 1 << i;
            }
        }
        return sent;
    }

    List<String> identityHeaders() {
        return identityHeaders;
    }

    String method() {
        return method;
    }

    String path() {
        return path;
    }
}
