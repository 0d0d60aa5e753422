package dev.keymeter.check;

import static dev.keymeter.check.Answers.error;
import static dev.keymeter.check.Answers.httpStatus;
import static dev.keymeter.check.Answers.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.routes.RouteTable;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Paths through a real gRPC stub: encoded dot-segments and backslashes refused (400), models deleted
 * only with write, and {@code {project}} segments held to a project key's project.
 */
class CheckPathTest {

    private static final Permissions READ_ONLY = Permissions.newBuilder()
            .setPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY).build();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"/v1/models/%2e%2e/chat/completions", "/v1/models/%2E%2e/chat/completions",
            "/v1/models/.%2e/chat/completions", "/v1/models\\..\\chat\\completions", "/v1/models/..%5cchat"})
    void check_encodedDotSegmentOrBackslash_is400NamingThePathProblem(String path) throws InterruptedException {
        try (CheckHarness h = new CheckHarness(dir)) {
            String token = TestKeys.userToken();
            h.add(TestKeys.projectKey("key_ro", token).setPermissions(READ_ONLY));

            CheckResponse r = h.check(Requests.bearer("POST", path, token));

            assertEquals(400, httpStatus(r), "never the read rule of /v1/models/*: " + path);
            assertEquals("invalid_path", error(r).get("code").getAsString());
            String message = error(r).get("message").getAsString();
            assertTrue(message.startsWith("The request path holds a"), message);
            assertTrue(message.contains("dot-segment") || message.contains("backslash"), message);
            assertEquals("malformed_request", metadata(r, "denial_reason"));
            assertEquals("key_ro", metadata(r, "key_id"));
        }
    }

    @Test
    void check_readOnlyKey_deleteModel_is403_getModel_is200() throws InterruptedException {
        try (CheckHarness h = new CheckHarness(dir)) {
            String token = TestKeys.userToken();
            h.add(TestKeys.projectKey("key_ro", token).setPermissions(READ_ONLY));

            assertEquals(403, httpStatus(h.check(Requests.bearer("DELETE", "/v1/models/ft:gpt-4o:acme:1", token))));
            assertEquals(200, httpStatus(h.check(Requests.bearer("GET", "/v1/models/ft:gpt-4o:acme:1", token))));
        }
    }

    @Test
    void check_projectSegmentOfAnotherProject_is403NamingIt_ownProjectAndAdminKeysPass() throws InterruptedException {
        RouteTable routes = RouteTable.parse("""
                {"include_defaults": true, "routes": [
                  {"path": "/v1/projects/{project}/prompts/*", "resource": "prompts", "access": "write"}
                ]}""");
        try (CheckHarness h = new CheckHarness(dir, CheckSettings.defaults().withRoutes(routes), true)) {
            String token = TestKeys.userToken();
            h.add(TestKeys.projectKey("key_p1", token));
            String admin = TestKeys.userToken();
            h.add(TestKeys.adminKey("key_admin", admin));

            CheckResponse other = h.check(Requests.bearer("POST", "/v1/projects/proj_2/prompts/p1", token));
            assertEquals(403, httpStatus(other));
            assertEquals("project_mismatch", error(other).get("code").getAsString());
            assertTrue(error(other).get("message").getAsString().contains("\"proj_2\""), error(other).toString());
            assertEquals("project_mismatch", metadata(other, "denial_reason"));

            assertEquals(200, httpStatus(h.check(Requests.bearer("POST", "/v1/projects/proj_1/prompts/p1", token))));
            assertEquals(200, httpStatus(h.check(Requests.bearer("POST", "/v1/projects/proj_2/prompts/p1", admin))),
                    "admin keys act on every project");
            assertEquals(403, httpStatus(h.check(Requests.bearer("GET", "/v1/projects/proj_2", token))),
                    "the shipped /v1/projects/{project} too");
            assertEquals(200, httpStatus(h.check(Requests.bearer("GET", "/v1/projects/proj_1", token))));
            CheckResponse odd = h.check(Requests.bearer("POST", "/v1/projects/%3Cb%3E%22x/prompts/p1", token));
            assertEquals(403, httpStatus(odd));
            assertTrue(error(odd).get("message").getAsString().contains("the project named in the path"),
                    "text that is not an id is not echoed");
        }
    }
}
