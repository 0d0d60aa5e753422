package dev.keymeter.check;

import static dev.keymeter.check.Answers.error;
import static dev.keymeter.check.Answers.httpStatus;
import static dev.keymeter.check.Answers.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Code;
import dev.keymeter.proto.admin.v1.AccessLevel;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** May an authenticated key do this: presets, restricted levels, routes and their sources. */
class CheckPermissionTest {

    @TempDir
    Path dir;
    private CheckHarness h;

    @BeforeEach
    void start() {
        h = new CheckHarness(dir);
    }

    @AfterEach
    void stop() throws InterruptedException {
        h.close();
    }

    /** Preset (with, for RESTRICTED, the level on chat_completions) × request access → allowed? */
    static Stream<Arguments> matrix() {
        return Stream.of(
                Arguments.of("ALL", all(), "GET", true),
                Arguments.of("ALL", all(), "POST", true),
                Arguments.of("READ_ONLY", readOnly(), "GET", true),
                Arguments.of("READ_ONLY", readOnly(), "POST", false),
                Arguments.of("RESTRICTED chat none", restricted(AccessLevel.ACCESS_LEVEL_NONE), "GET", false),
                Arguments.of("RESTRICTED chat none", restricted(AccessLevel.ACCESS_LEVEL_NONE), "POST", false),
                Arguments.of("RESTRICTED chat read", restricted(AccessLevel.ACCESS_LEVEL_READ), "GET", true),
                Arguments.of("RESTRICTED chat read", restricted(AccessLevel.ACCESS_LEVEL_READ), "POST", false),
                Arguments.of("RESTRICTED chat write", restricted(AccessLevel.ACCESS_LEVEL_WRITE), "GET", true), // write includes read
                Arguments.of("RESTRICTED chat write", restricted(AccessLevel.ACCESS_LEVEL_WRITE), "POST", true),
                Arguments.of("RESTRICTED embeddings write", restrictedOther(), "GET", false),
                Arguments.of("RESTRICTED embeddings write", restrictedOther(), "POST", false));
    }

    @ParameterizedTest(name = "{0}, {2} -> allowed {3}")
    @MethodSource("matrix")
    void check_permissionMatrix_allowsExactlyWhatTheLevelGrants(String label, Permissions permissions, String method, boolean allowed) {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_p", token).setPermissions(permissions));
        CheckResponse r = h.check(Requests.bearer(method, "/v1/chat/completions", token));
        if (allowed) {
            assertEquals(Code.OK_VALUE, r.getStatus().getCode());
            assertEquals(true, r.hasOkResponse());
        } else {
            String access = method.equals("GET") ? "read" : "write";
            assertInsufficient(r, "This API key lacks " + access + " access to chat_completions.");
            assertEquals("key_p", metadata(r, DynamicMetadata.KEY_ID));
            assertEquals("denied PERMISSION_DENIED key_p", h.listener.last());
        }
    }

    @Test
    void check_adminKey_isBoundByItsPresetToo() {
        String readOnly = TestKeys.userToken();
        String all = TestKeys.userToken();
        h.add(TestKeys.adminKey("key_admin_ro", readOnly).setPermissions(readOnly()));
        h.add(TestKeys.adminKey("key_admin", all));
        assertEquals(200, httpStatus(h.check(Requests.bearer("GET", "/v1/datasets", readOnly))));
        assertInsufficient(h.check(Requests.bearer("POST", "/v1/datasets", readOnly)),
                "This API key lacks write access to datasets.");
        assertEquals(200, httpStatus(h.check(Requests.bearer("POST", "/v1/datasets", all))));
    }

    @Test
    void check_unknownRoute_is403NamingUnmappedRoute() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        CheckResponse r = h.check(Requests.bearer("POST", "/v2/unmapped", token));
        assertEquals(403, httpStatus(r));
        assertEquals(Code.PERMISSION_DENIED_VALUE, r.getStatus().getCode());
        JsonObject error = error(r);
        assertEquals(DenialResponses.UNKNOWN_ROUTE_MESSAGE, error.get("message").getAsString());
        assertEquals("unknown_route", error.get("code").getAsString());
        assertEquals("unknown_route", metadata(r, DynamicMetadata.DENIAL_REASON));
        assertEquals("key_1", metadata(r, DynamicMetadata.KEY_ID));
    }

    @Test
    void check_unknownRouteWithStatus404Setting_is404() throws InterruptedException {
        h.close();
        h = new CheckHarness(dir.resolve("404"), CheckSettings.defaults().withUnknownRouteStatus(404), true);
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        CheckResponse r = h.check(Requests.bearer("GET", "/nowhere", token));
        assertEquals(404, httpStatus(r));
        assertEquals(Code.NOT_FOUND_VALUE, r.getStatus().getCode());
    }

    @Test
    void check_unknownRouteWithoutValidKey_is401First() {
        assertEquals(401, httpStatus(h.check(Requests.bearer("POST", "/v2/unmapped", TestKeys.userToken()))));
    }

    @Test
    void check_contextExtensions_overrideTable() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_ds", token).setPermissions(restrictedOn("datasets", AccessLevel.ACCESS_LEVEL_READ)));
        CheckRequest chat = Requests.bearer("POST", "/v1/chat/completions", token);
        assertEquals(403, httpStatus(h.check(chat)), "the table says write chat_completions");
        CheckRequest routed = Requests.withAttributes(chat, AttributeContext.newBuilder()
                .putContextExtensions("resource", "datasets").putContextExtensions("access", "read"));
        assertEquals(200, httpStatus(h.check(routed)));
        assertEquals("allowed key_ds read datasets", h.listener.last());
    }

    @Test
    void check_routeMetadata_overridesTableButNotContextExtensions() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_ds", token).setPermissions(restrictedOn("datasets", AccessLevel.ACCESS_LEVEL_READ)));
        CheckRequest chat = Requests.bearer("GET", "/v1/chat/completions", token);
        AttributeContext.Builder metadata = AttributeContext.newBuilder().setRouteMetadataContext(Metadata.newBuilder()
                .putFilterMetadata("envoy.filters.http.ext_authz", Struct.newBuilder()
                        .putFields("resource", Value.newBuilder().setStringValue("datasets").build()).build()));
        assertEquals(200, httpStatus(h.check(Requests.withAttributes(chat, metadata))));
        assertEquals("allowed key_ds read datasets", h.listener.last());
        CheckRequest both = Requests.withAttributes(chat, metadata.clone().putContextExtensions("resource", "tools"));
        assertInsufficient(h.check(both), "This API key lacks read access to tools.");
    }

    @Test
    void check_contextExtensionsResourceNotInCatalog_is403UnknownRoute() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        CheckRequest routed = Requests.withAttributes(Requests.bearer("POST", "/v1/chat/completions", token),
                AttributeContext.newBuilder().putContextExtensions("resource", "gizmos"));
        CheckResponse r = h.check(routed);
        assertEquals(403, httpStatus(r));
        assertEquals("unknown_route", error(r).get("code").getAsString());
    }

    private static void assertInsufficient(CheckResponse r, String message) {
        assertEquals(403, httpStatus(r));
        assertEquals(Code.PERMISSION_DENIED_VALUE, r.getStatus().getCode());
        JsonObject error = error(r);
        assertEquals(message, error.get("message").getAsString());
        assertEquals("permission_error", error.get("type").getAsString());
        assertEquals("insufficient_permissions", error.get("code").getAsString());
        assertEquals("permission_denied", metadata(r, DynamicMetadata.DENIAL_REASON));
    }

    private static Permissions all() {
        return Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_ALL).build();
    }

    private static Permissions readOnly() {
        return Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY).build();
    }

    private static Permissions restricted(AccessLevel onChat) {
        return restrictedOn("chat_completions", onChat);
    }

    /** Restricted with write on embeddings only: nothing on chat_completions. */
    private static Permissions restrictedOther() {
        return restrictedOn("embeddings", AccessLevel.ACCESS_LEVEL_WRITE);
    }

    private static Permissions restrictedOn(String resource, AccessLevel level) {
        return Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)
                .putResources(resource, level).build();
    }
}
