package dev.keymeter.check;

import static dev.keymeter.check.Answers.header;
import static dev.keymeter.check.Answers.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.Code;
import dev.keymeter.routes.RouteTable;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an allowed request carries on: identity headers, removals, dynamic metadata, last use. */
class CheckAllowTest {

    private static final String CHAT = "/v1/chat/completions";

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

    @Test
    void check_userProjectKey_setsIdentityHeadersAndMetadata() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        CheckResponse r = h.check(Requests.bearer("POST", CHAT, token));
        assertEquals(Code.OK_VALUE, r.getStatus().getCode());
        OkHttpResponse ok = r.getOkResponse();
        assertEquals(4, ok.getHeadersCount());
        assertEquals("key_1", header(ok.getHeadersList(), "x-keymeter-key-id"));
        assertEquals("proj_1", header(ok.getHeadersList(), "x-keymeter-project-id"));
        assertEquals("project", header(ok.getHeadersList(), "x-keymeter-key-kind"));
        assertEquals("user_1", header(ok.getHeadersList(), "x-keymeter-owner"));
        assertEquals(List.of("authorization"), ok.getHeadersToRemoveList());
        assertEquals(Map.of("key_id", "key_1", "project_id", "proj_1"), strings(r));
        assertEquals("allowed key_1 write chat_completions", h.listener.last());
    }

    @Test
    void check_serviceAccountKey_ownerIsServiceAccount() {
        String token = TestKeys.userToken();
        h.add(TestKeys.serviceKey("key_sa", token));
        OkHttpResponse ok = h.check(Requests.bearer("POST", CHAT, token)).getOkResponse();
        assertEquals("service-account", header(ok.getHeadersList(), "x-keymeter-owner"));
        assertEquals("project", header(ok.getHeadersList(), "x-keymeter-key-kind"));
    }

    @Test
    void check_adminKey_hasNoProjectAndSpoofedProjectIsRemoved() {
        String token = TestKeys.userToken();
        h.add(TestKeys.adminKey("key_adm", token));
        CheckResponse r = h.check(Requests.withHeaders("GET", "/v1/models",
                Map.of("authorization", "Bearer " + token, "x-keymeter-project-id", "proj_victim")));
        OkHttpResponse ok = r.getOkResponse();
        assertEquals("admin", header(ok.getHeadersList(), "x-keymeter-key-kind"));
        assertEquals("user_admin", header(ok.getHeadersList(), "x-keymeter-owner"));
        assertNull(header(ok.getHeadersList(), "x-keymeter-project-id"));
        assertEquals(Set.of("x-keymeter-project-id", "authorization"), Set.copyOf(ok.getHeadersToRemoveList()));
        assertEquals(Map.of("key_id", "key_adm"), strings(r));
    }

    /**
     * Spoofed copies of the headers we set are replaced by OVERWRITE_IF_EXISTS_OR_ADD, not listed for
     * removal: Envoy removes after it sets, which would strip our own value. Other x-keymeter-* go.
     */
    @Test
    void check_spoofedIdentityHeaders_overwrittenOrRemoved() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        CheckResponse r = h.check(Requests.withHeaders("POST", CHAT, Map.of(
                "authorization", "Bearer " + token,
                "x-keymeter-key-id", "key_admin",
                "x-keymeter-owner", "someone-else",
                "x-keymeter-debug", "1",
                "x-request-id", "req-1")));
        OkHttpResponse ok = r.getOkResponse();
        assertEquals("key_1", header(ok.getHeadersList(), "x-keymeter-key-id"));
        assertEquals("user_1", header(ok.getHeadersList(), "x-keymeter-owner"));
        assertEquals(Set.of("x-keymeter-debug", "authorization"), Set.copyOf(ok.getHeadersToRemoveList()));
    }

    @Test
    void check_rawHeaderMap_spoofedHeadersInAnyCaseAreRemoved() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        CheckResponse r = h.check(Requests.withRawHeaders("POST", CHAT,
                "X-Api-Key", token, "X-Keymeter-Role", "admin", "x-keymeter-project-id", "proj_other"));
        OkHttpResponse ok = r.getOkResponse();
        assertEquals("proj_1", header(ok.getHeadersList(), "x-keymeter-project-id"));
        assertEquals(Set.of("x-keymeter-role", "x-api-key"), Set.copyOf(ok.getHeadersToRemoveList()));
    }

    @Test
    void check_bothTokenHeadersSent_bothRemoved() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        OkHttpResponse ok = h.check(Requests.withHeaders("POST", CHAT,
                Map.of("authorization", "Bearer " + token, "x-api-key", "other"))).getOkResponse();
        assertEquals(Set.of("authorization", "x-api-key"), Set.copyOf(ok.getHeadersToRemoveList()));
    }

    @Test
    void check_removeTokenHeadersOff_keepsThem() throws InterruptedException {
        h.close();
        h = new CheckHarness(dir.resolve("keep"), CheckSettings.defaults().withRemoveTokenHeaders(false), true);
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        OkHttpResponse ok = h.check(Requests.bearer("POST", CHAT, token)).getOkResponse();
        assertEquals(List.of(), ok.getHeadersToRemoveList());
    }

    @Test
    void check_authenticatedRequests_recordLastUseAtClockTime() {
        String token = TestKeys.userToken();
        String readOnly = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        h.add(TestKeys.projectKey("key_ro", readOnly).setPermissions(dev.keymeter.proto.admin.v1.Permissions.newBuilder()
                .setPreset(dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_READ_ONLY)));
        h.check(Requests.bearer("POST", CHAT, token));
        h.clock.advance(Duration.ofSeconds(5));
        h.check(Requests.bearer("POST", CHAT, token));
        h.check(Requests.bearer("POST", CHAT, readOnly)); // 403, but the key did authenticate
        h.check(Requests.bearer("POST", CHAT, TestKeys.userToken())); // unknown: nothing to note
        Instant later = TestKeys.NOW.plusSeconds(5);
        assertEquals(Map.of("key_1", later, "key_ro", later), h.lastUsed.drain());
    }

    @Test
    void check_queryStringAndRawPath_routeByPathAlone() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        CheckResponse r = h.check(Requests.withRawHeaders("GET", "/v1/models/gpt-4o?verbose=true",
                "authorization", "Bearer " + token));
        assertTrue(r.hasOkResponse());
        assertEquals("allowed key_1 read models", h.listener.last());
    }

    /** A hot key's response is built once and reused ({@link HotKey}); a reuse never carries another request's data. */
    @Test
    void check_hotKey_reusesItsBuiltResponse_untilTheKeyOrSettingsChange() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        CheckResponse first = h.authorizer.check(Requests.bearer("POST", CHAT, token));
        assertSame(first, h.authorizer.check(Requests.bearer("POST", CHAT, token)));
        h.add(TestKeys.projectKey("key_1", token).setRevision(2));
        CheckResponse afterWrite = h.authorizer.check(Requests.bearer("POST", CHAT, token));
        assertNotSame(first, afterWrite);
        assertEquals(first, afterWrite);
        h.authorizer.update(h.authorizer.settings().withRemoveTokenHeaders(false));
        CheckResponse afterUpdate = h.authorizer.check(Requests.bearer("POST", CHAT, token));
        assertEquals(List.of(), afterUpdate.getOkResponse().getHeadersToRemoveList());
        assertSame(afterUpdate, h.authorizer.check(Requests.bearer("POST", CHAT, token)),
                "new settings start new memos, not a rebuilt response per request");
    }

    /** Responses are reused per key ({@link HotKey}): a reuse must never carry another request's data. */
    @Test
    void check_repeatedRequests_answerForTheirOwnKeyHeadersAndState() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        OkHttpResponse first = h.check(Requests.bearer("POST", CHAT, token)).getOkResponse();
        assertEquals(first, h.check(Requests.bearer("POST", CHAT, token)).getOkResponse());
        assertEquals(List.of("x-api-key"), h.check(Requests.withHeaders("POST", CHAT, Map.of("x-api-key", token)))
                .getOkResponse().getHeadersToRemoveList());
        assertEquals(Set.of("authorization", "x-keymeter-debug"), Set.copyOf(h.check(Requests.withHeaders("POST", CHAT,
                Map.of("authorization", "Bearer " + token, "x-keymeter-debug", "1"))).getOkResponse().getHeadersToRemoveList()));
        assertEquals(List.of("authorization"), h.check(Requests.bearer("POST", CHAT, token))
                .getOkResponse().getHeadersToRemoveList());

        h.add(TestKeys.serviceKey("key_1", token).setRevision(2)); // same key id, now a service account
        assertEquals("service-account", header(h.check(Requests.bearer("POST", CHAT, token)).getOkResponse()
                .getHeadersList(), "x-keymeter-owner"));
        h.authorizer.update(h.authorizer.settings().withRemoveTokenHeaders(false));
        assertEquals(List.of(), h.check(Requests.bearer("POST", CHAT, token)).getOkResponse().getHeadersToRemoveList());
    }

    @Test
    void update_newRouteTable_appliesToNextRequest() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        assertEquals(403, Answers.httpStatus(h.check(Requests.bearer("POST", "/v1/batches", token))));
        h.authorizer.update(h.authorizer.settings().withRoutes(RouteTable.parse("""
                {"include_defaults": true, "routes": [
                  {"method": "POST", "path": "/v1/batches", "resource": "files", "access": "write"}]}""")));
        assertTrue(h.check(Requests.bearer("POST", "/v1/batches", token)).hasOkResponse());
        assertEquals("allowed key_1 write files", h.listener.last());
    }

    private static Map<String, String> strings(CheckResponse r) {
        Map<String, String> out = new java.util.HashMap<>();
        r.getDynamicMetadata().getFieldsMap().forEach((k, v) -> out.put(k, v.getStringValue()));
        assertEquals(out.get("key_id"), metadata(r, "key_id"));
        return out;
    }
}
