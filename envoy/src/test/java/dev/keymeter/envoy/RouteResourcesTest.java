package dev.keymeter.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.keymeter.keys.Resource;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.routes.ResourceAccess;
import dev.keymeter.routes.RouteResolver;
import dev.keymeter.routes.RouteTable;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The routes' per-route {@code context_extensions} name resources keymeter knows, with a valid
 * access, and cover every gateway resource of the catalog.
 */
class RouteResourcesTest {

    static final List<String> FILES = EnvoyConfigs.FILES;
    private static final String EXT_AUTHZ = "envoy.filters.http.ext_authz";

    @ParameterizedTest
    @FieldSource("FILES")
    void contextExtensions_everyRoute_namesCatalogResourceAndReadOrWrite(String file)
            throws InvalidProtocolBufferException {
        Map<String, String> routes = contextExtensions(file);

        assertTrue(routes.size() >= 11, file + " has the gateway routes: " + routes);
        routes.forEach((match, value) -> {
            String[] parts = value.split(" ");
            assertTrue(Resource.fromWireName(parts[0]).isPresent(),
                    file + " " + match + ": " + parts[0] + " is not in " + Resource.catalog());
            assertTrue(Set.of("read", "write").contains(parts[1]), file + " " + match + ": access " + parts[1]);
        });
    }

    @ParameterizedTest
    @FieldSource("FILES")
    void contextExtensions_coverEveryGatewayResource(String file) throws InvalidProtocolBufferException {
        Set<Resource> covered = contextExtensions(file).values().stream()
                .map(v -> Resource.fromWireName(v.split(" ")[0]).orElseThrow())
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Resource.class)));
        Set<Resource> gateway = Arrays.stream(Resource.values())
                .filter(r -> r.group() == Resource.Group.GATEWAY)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Resource.class)));

        assertEquals(gateway, covered);
    }

    @Test
    void contextExtensions_envoyYaml_mapsEachPathAsReadmeSays() throws InvalidProtocolBufferException {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("path /v1/chat/completions", "chat_completions write");
        expected.put("path /v1/completions", "chat_completions write");
        expected.put("path /v1/embeddings", "embeddings write");
        expected.put("prefix /v1/images/", "images write");
        expected.put("path /v1/models GET|HEAD", "models read");
        expected.put("path /v1/models", "models write");
        expected.put("prefix /v1/models/ GET|HEAD", "models read");
        expected.put("prefix /v1/models/", "models write");
        expected.put("path /v1/moderations", "moderations write");
        expected.put("path /v1/rerank", "rerank write");
        expected.put("path /v1/responses", "responses write");
        expected.put("path /v1/audio/speech", "speech write");
        expected.put("path /v1/audio/transcriptions", "transcriptions write");
        expected.put("path /v1/ocr", "ocr write");

        assertEquals(expected, contextExtensions("envoy.yaml"));
    }

    /** "path /v1/x" or "prefix /v1/x/" → "resource access", for routes with an ExtAuthzPerRoute. */
    private static Map<String, String> contextExtensions(String file) throws InvalidProtocolBufferException {
        Map<String, String> out = new LinkedHashMap<>();
        List<Route> routes = EnvoyConfigs.connectionManager(EnvoyConfigs.load(file))
                .getRouteConfig().getVirtualHostsList().stream()
                .flatMap(vh -> vh.getRoutesList().stream())
                .collect(Collectors.toList());
        for (Route route : routes) {
            Any perRoute = route.getTypedPerFilterConfigMap().get(EXT_AUTHZ);
            if (perRoute == null) {
                continue;
            }
            Map<String, String> ext = perRoute.unpack(ExtAuthzPerRoute.class).getCheckSettings()
                    .getContextExtensionsMap();
            assertEquals(Set.of("resource", "access"), ext.keySet(), file + " " + match(route.getMatch()));
            out.put(match(route.getMatch()), ext.get("resource") + " " + ext.get("access"));
        }
        return out;
    }

    private static String match(RouteMatch match) {
        String path = match.hasPath() ? "path " + match.getPath() : "prefix " + match.getPrefix();
        for (HeaderMatcher h : match.getHeadersList()) {
            assertEquals(":method", h.getName(), "routes match on the method only");
            path += " " + h.getStringMatch().getSafeRegex().getRegex();
        }
        return path;
    }

    /**
     * Each (method, path) as Envoy routes it (first matching route wins: path or prefix, then the
     * {@code :method} header's regex over the whole value), then resolved by keymeter's own
     * {@link RouteResolver} from that route's context_extensions: what a key needs for it.
     */
    private static ResourceAccess need(String file, String method, String path) throws InvalidProtocolBufferException {
        List<Route> routes = EnvoyConfigs.connectionManager(EnvoyConfigs.load(file))
                .getRouteConfig().getVirtualHostsList().get(0).getRoutesList();
        for (Route route : routes) {
            RouteMatch m = route.getMatch();
            boolean pathMatches = m.hasPath() ? m.getPath().equals(path) : path.startsWith(m.getPrefix());
            boolean methodMatches = m.getHeadersList().stream()
                    .allMatch(h -> method.matches(h.getStringMatch().getSafeRegex().getRegex()));
            if (pathMatches && methodMatches) {
                Any perRoute = route.getTypedPerFilterConfigMap().get(EXT_AUTHZ);
                AttributeContext.Builder attributes = AttributeContext.newBuilder();
                if (perRoute != null) {
                    attributes.putAllContextExtensions(perRoute.unpack(ExtAuthzPerRoute.class).getCheckSettings()
                            .getContextExtensionsMap());
                }
                return new RouteResolver(RouteTable.defaults()).resolve(attributes.build(), method, path);
            }
        }
        throw new AssertionError(file + ": no route for " + method + " " + path);
    }

    @ParameterizedTest
    @FieldSource("FILES")
    void models_getAndHeadRead_deleteAndPostWrite_soAReadOnlyKeyCannotDelete(String file)
            throws InvalidProtocolBufferException {
        for (String path : List.of("/v1/models", "/v1/models/gpt-4o", "/v1/models/ft:gpt-4o:acme:1")) {
            assertEquals(ResourceAccess.of(Resource.MODELS, AccessLevel.READ), need(file, "GET", path), file + path);
            assertEquals(ResourceAccess.of(Resource.MODELS, AccessLevel.READ), need(file, "HEAD", path), file + path);
            for (String write : List.of("DELETE", "POST", "PUT", "PATCH")) {
                ResourceAccess need = need(file, write, path);
                assertEquals(ResourceAccess.of(Resource.MODELS, AccessLevel.WRITE), need, file + " " + write + path);
                assertFalse(AccessLevel.READ.grants(need.access()), "a Read only key is refused " + write + " " + path);
            }
        }
        assertEquals(ResourceAccess.of(Resource.MODELS, AccessLevel.WRITE), need(file, "GETX", "/v1/models/a"),
                "the method regex matches the whole method, not a prefix of it");
    }
}
