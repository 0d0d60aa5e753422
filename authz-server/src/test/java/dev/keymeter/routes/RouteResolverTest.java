package dev.keymeter.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.Resource;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteResolverTest {

    private final RouteResolver resolver = new RouteResolver(RouteTable.defaults());

    @Test
    void resolve_noPerRouteData_usesTable() {
        assertEquals(ResourceAccess.of(Resource.EMBEDDINGS, AccessLevel.WRITE),
                resolver.resolve(AttributeContext.getDefaultInstance(), "POST", "/v1/embeddings"));
    }

    @Test
    void resolve_contextExtensions_winOverMetadataAndTable() {
        AttributeContext attributes = AttributeContext.newBuilder()
                .putContextExtensions("resource", "datasets").putContextExtensions("access", "read")
                .setRouteMetadataContext(metadata("keymeter", Map.of("resource", text("tools"))))
                .build();
        assertEquals(ResourceAccess.of(Resource.DATASETS, AccessLevel.READ),
                resolver.resolve(attributes, "POST", "/v1/embeddings"));
    }

    @Test
    void resolve_contextExtensionsWithoutAccess_derivesAccessFromMethod() {
        AttributeContext attributes = AttributeContext.newBuilder().putContextExtensions("resource", "tools").build();
        assertEquals(ResourceAccess.of(Resource.TOOLS, AccessLevel.READ), resolver.resolve(attributes, "GET", "/x"));
        assertEquals(ResourceAccess.of(Resource.TOOLS, AccessLevel.WRITE), resolver.resolve(attributes, "POST", "/x"));
    }

    @Test
    void resolve_contextExtensionsUnknownResource_failsClosedDespiteTableMatch() {
        AttributeContext attributes = AttributeContext.newBuilder().putContextExtensions("resource", "gizmos").build();
        assertNull(resolver.resolve(attributes, "POST", "/v1/embeddings"));
    }

    @Test
    void resolve_contextExtensionsBadAccess_failsClosed() {
        AttributeContext attributes = AttributeContext.newBuilder()
                .putContextExtensions("resource", "tools").putContextExtensions("access", "admin").build();
        assertNull(resolver.resolve(attributes, "GET", "/v1/tools"));
    }

    @Test
    void resolve_contextExtensionsWithoutResource_fallThrough() {
        AttributeContext attributes = AttributeContext.newBuilder().putContextExtensions("team", "x").build();
        assertEquals(ResourceAccess.of(Resource.MODELS, AccessLevel.READ), resolver.resolve(attributes, "GET", "/v1/models"));
    }

    @Test
    void resolve_routeMetadata_keymeterNamespaceBeforeExtAuthzNamespace() {
        Metadata both = Metadata.newBuilder()
                .putFilterMetadata("envoy.filters.http.ext_authz", struct(Map.of("resource", text("files"))))
                .putFilterMetadata("keymeter", struct(Map.of("resource", text("prompts"), "access", text("write"))))
                .build();
        assertEquals(ResourceAccess.of(Resource.PROMPTS, AccessLevel.WRITE),
                resolver.resolve(AttributeContext.newBuilder().setRouteMetadataContext(both).build(), "GET", "/v1/models"));
        AttributeContext extAuthzOnly = AttributeContext.newBuilder()
                .setRouteMetadataContext(metadata("envoy.filters.http.ext_authz", Map.of("resource", text("files"))))
                .build();
        assertEquals(ResourceAccess.of(Resource.FILES, AccessLevel.READ), resolver.resolve(extAuthzOnly, "GET", "/v1/models"));
    }

    @Test
    void resolve_routeMetadataNonStringValues_failClosed() {
        Value number = Value.newBuilder().setNumberValue(1).build();
        AttributeContext badResource = AttributeContext.newBuilder()
                .setRouteMetadataContext(metadata("keymeter", Map.of("resource", number))).build();
        AttributeContext badAccess = AttributeContext.newBuilder()
                .setRouteMetadataContext(metadata("keymeter", Map.of("resource", text("files"), "access", number)))
                .build();
        assertNull(resolver.resolve(badResource, "GET", "/v1/models"));
        assertNull(resolver.resolve(badAccess, "GET", "/v1/models"));
    }

    @Test
    void resolve_routeMetadataOfOtherNamespaces_isIgnored() {
        AttributeContext attributes = AttributeContext.newBuilder()
                .setRouteMetadataContext(metadata("envoy.lb", Map.of("resource", text("files")))).build();
        assertEquals(ResourceAccess.of(Resource.MODELS, AccessLevel.READ), resolver.resolve(attributes, "GET", "/v1/models"));
    }

    private static Metadata metadata(String namespace, Map<String, Value> fields) {
        return Metadata.newBuilder().putFilterMetadata(namespace, struct(fields)).build();
    }

    private static Struct struct(Map<String, Value> fields) {
        return Struct.newBuilder().putAllFields(fields).build();
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }
}
