package dev.keymeter.routes;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.Resource;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import java.util.Map;
import java.util.Objects;

/**
 * Finds what a request needs, from the first of these sources that names a resource:
 *
 * <ol>
 *   <li>the route's {@code context_extensions} (Envoy's {@code ExtAuthzPerRoute.check_settings}),
 *       keys {@value #RESOURCE_KEY} and {@value #ACCESS_KEY};
 *   <li>the route's metadata, {@code filter_metadata} namespace {@value #KEYMETER_NAMESPACE} then
 *       {@value #EXT_AUTHZ_NAMESPACE}, string fields {@value #RESOURCE_KEY} and {@value #ACCESS_KEY};
 *   <li>the {@link RouteTable}, by method and path.
 * </ol>
 *
 * <p>A per-route source that names a resource decides alone: an unknown resource name, or an
 * {@value #ACCESS_KEY} other than {@code read} / {@code write}, resolves to no route (fail closed)
 * rather than falling through to the table. Without {@value #ACCESS_KEY}, GET and HEAD read and every
 * other method writes. Immutable and thread-safe; allocates nothing.
 */
public final class RouteResolver {

    public static final String RESOURCE_KEY = "resource";
    public static final String ACCESS_KEY = "access";
    public static final String KEYMETER_NAMESPACE = "keymeter";
    public static final String EXT_AUTHZ_NAMESPACE = "envoy.filters.http.ext_authz";

    private static final String[] NAMESPACES = {KEYMETER_NAMESPACE, EXT_AUTHZ_NAMESPACE};

    private final RouteTable table;

    public RouteResolver(RouteTable table) {
        this.table = Objects.requireNonNull(table, "table");
    }

    public RouteTable table() {
        return table;
    }

    /**
     * What the request needs, or {@code null} when no source maps it.
     *
     * @param method the HTTP method, e.g. {@code POST}
     * @param path the request path, query string included
     */
    public ResourceAccess resolve(AttributeContext attributes, String method, String path) {
        if (attributes.getContextExtensionsCount() > 0) {
            Map<String, String> extensions = attributes.getContextExtensionsMap();
            String resource = extensions.get(RESOURCE_KEY);
            if (resource != null) {
                return named(resource, extensions.get(ACCESS_KEY), method);
            }
        }
        if (attributes.hasRouteMetadataContext()) {
            Map<String, Struct> namespaces = attributes.getRouteMetadataContext().getFilterMetadataMap();
            for (String namespace : NAMESPACES) {
                Struct fields = namespaces.get(namespace);
                Value resource = fields == null ? null : fields.getFieldsMap().get(RESOURCE_KEY);
                if (resource != null) {
                    Value access = fields.getFieldsMap().get(ACCESS_KEY);
                    if (access != null && access.getKindCase() != Value.KindCase.STRING_VALUE) {
                        return null;
                    }
                    return named(text(resource), text(access), method);
                }
            }
        }
        return table.match(method, path);
    }

    /**
     * The project the request's path names, when the route table decided the request (no per-route
     * source named a resource) with a {@value RouteRule#PROJECT_SEGMENT} rule; otherwise null.
     */
    public String projectOf(AttributeContext attributes, String method, String path) {
        if (!table.namesProjects() || perRouteResource(attributes)) {
            return null;
        }
        return table.projectOf(method, path);
    }

    private static boolean perRouteResource(AttributeContext attributes) {
        if (attributes.getContextExtensionsMap().containsKey(RESOURCE_KEY)) {
            return true;
        }
        if (attributes.hasRouteMetadataContext()) {
            Map<String, Struct> namespaces = attributes.getRouteMetadataContext().getFilterMetadataMap();
            for (String namespace : NAMESPACES) {
                Struct fields = namespaces.get(namespace);
                if (fields != null && fields.getFieldsMap().containsKey(RESOURCE_KEY)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ResourceAccess named(String resourceName, String accessName, String method) {
        Resource resource = resourceName == null ? null : ResourceAccess.resourceNamed(resourceName);
        if (resource == null) {
            return null;
        }
        AccessLevel access = accessName == null
                ? ResourceAccess.accessForMethod(method)
                : ResourceAccess.accessNamed(accessName);
        return access == null ? null : ResourceAccess.of(resource, access);
    }

    /** The string of a metadata value; null for an absent or non-string value (which then fails closed). */
    private static String text(Value value) {
        return value != null && value.getKindCase() == Value.KindCase.STRING_VALUE ? value.getStringValue() : null;
    }
}
