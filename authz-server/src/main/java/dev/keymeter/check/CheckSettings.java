package dev.keymeter.check;

import dev.keymeter.routes.RouteTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How Check reads and answers requests. Validated once, at construction; the server layer maps its
 * flags onto these fields.
 *
 * @param tokenHeaders the headers that may carry the API key, most preferred first; default
 *     {@code authorization}, {@code x-api-key}. Names are compared in lower case. A header named
 *     {@code authorization} carries {@code Bearer <token>} (scheme in any case; another scheme means
 *     "no token here"); any other header carries the bare token.
 * @param removeTokenHeaders default true: tell Envoy to strip every configured token header the request
 *     carried, so that upstreams never see the key
 * @param unknownRouteStatus 403 (default) or 404: the HTTP status for a request that no route maps
 * @param routes the route table consulted when the route carries no per-route data; default
 *     {@link RouteTable#defaults()}
 */
public record CheckSettings(List<String> tokenHeaders, boolean removeTokenHeaders, int unknownRouteStatus,
        RouteTable routes) {

    public static final List<String> DEFAULT_TOKEN_HEADERS = List.of("authorization", "x-api-key");
    /** A header that starts with this is ours: clients may not send it and it may not carry a token. */
    public static final String IDENTITY_HEADER_PREFIX = "x-keymeter-";
    /** Which token headers a request sent is kept as bits of an int. */
    static final int MAX_TOKEN_HEADERS = 8;

    public CheckSettings {
        Objects.requireNonNull(routes, "routes");
        tokenHeaders = normalize(Objects.requireNonNull(tokenHeaders, "tokenHeaders"));
        if (unknownRouteStatus != 403 && unknownRouteStatus != 404) {
            throw new IllegalArgumentException("unknownRouteStatus must be 403 or 404, was " + unknownRouteStatus);
        }
    }

    public static CheckSettings defaults() {
        return new CheckSettings(DEFAULT_TOKEN_HEADERS, true, 403, RouteTable.defaults());
    }

    public CheckSettings withTokenHeaders(List<String> headers) {
        return new CheckSettings(headers, removeTokenHeaders, unknownRouteStatus, routes);
    }

    public CheckSettings withRemoveTokenHeaders(boolean remove) {
        return new CheckSettings(tokenHeaders, remove, unknownRouteStatus, routes);
    }

    public CheckSettings withUnknownRouteStatus(int status) {
        return new CheckSettings(tokenHeaders, removeTokenHeaders, status, routes);
    }

    public CheckSettings withRoutes(RouteTable table) {
        return new CheckSettings(tokenHeaders, removeTokenHeaders, unknownRouteStatus, table);
    }

    /** True when {@code header} carries {@code Bearer <token>} rather than the bare token. */
    static boolean usesBearerScheme(String header) {
        return header.equals("authorization");
    }

    private static List<String> normalize(List<String> headers) {
        if (headers.isEmpty() || headers.size() > MAX_TOKEN_HEADERS) {
            throw new IllegalArgumentException("tokenHeaders must name 1 to " + MAX_TOKEN_HEADERS + " headers, named "
                    + headers.size());
        }
        List<String> out = new ArrayList<>();
        for (String h : headers) {
            String name = Objects.requireNonNull(h, "tokenHeaders element").toLowerCase(Locale.ROOT);
            if (!isHeaderName(name) || name.startsWith(IDENTITY_HEADER_PREFIX)) {
                throw new IllegalArgumentException("tokenHeaders: \"" + h + "\" is not a header name a client may"
                        + " send (letters, digits, '-', '_', '.'; not " + IDENTITY_HEADER_PREFIX + "*)");
            }
            if (new HashSet<>(out).contains(name)) {
                throw new IllegalArgumentException("tokenHeaders: \"" + h + "\" is listed twice");
            }
            out.add(name);
        }
        return List.copyOf(out);
    }

    private static boolean isHeaderName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
