package dev.keymeter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC rules, reached through JSON: no key or a bad one is 401, a project key on an admin route
 * and a read-only admin key writing are 403, sidecar credentials are refused; the messages are the
 * gRPC ones, refused writes are audited, and no token reaches a log line.
 */
class JsonApiAuthorizationTest {

    @TempDir
    Path dir;
    HttpHarness h;
    final List<String> logLines = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logLines.add(r.getLoggerName() + " " + r.getMessage() + " " + r.getThrown());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        Logger.getLogger("").addHandler(capture);
        h = new HttpHarness(dir);
        h.ok("POST", "/v1/projects", "{\"projectId\": \"payments\"}");
    }

    @AfterEach
    void stop() {
        h.close();
        Logger.getLogger("").removeHandler(capture);
    }

    private String token(JsonObject created) {
        return created.get("token").getAsString();
    }

    private String readOnlyAdmin() {
        return token(h.ok("POST", "/v1/keys", """
                {"name": "auditor", "kind": "KEY_KIND_ADMIN", "ownerType": "OWNER_TYPE_SERVICE_ACCOUNT",
                 "permissions": {"preset": "PERMISSION_PRESET_READ_ONLY"}}"""));
    }

    @Test
    void noKey_is401MissingApiKey() {
        for (String path : List.of("/v1/keys", "/v1/whoami")) {
            JsonObject error = HttpHarness.error(h.get(path, null), 401, "UNAUTHENTICATED");
            assertTrue(error.get("message").getAsString().contains("missing API key"), error::toString);
        }
    }

    @Test
    void badKey_is401WithTheSameMessageForEveryKind() {
        for (String bad : List.of("kma_thisIsNotAValidChecksumAtAll000000000", "sk-some-other-token-000000")) {
            for (String path : List.of("/v1/keys", "/v1/whoami")) {
                JsonObject error = HttpHarness.error(h.get(path, bad), 401, "UNAUTHENTICATED");
                assertEquals("invalid, disabled, revoked or expired API key", error.get("message").getAsString());
            }
        }
    }

    @Test
    void otherScheme_is401NamingTheHeader() {
        HttpRequest basic = HttpRequest.newBuilder(h.uri("/v1/keys")).header("Authorization", "Basic YTpi").GET().build();
        JsonObject error = HttpHarness.error(h.send(basic), 401, "UNAUTHENTICATED");
        assertEquals("authorization: expected 'Bearer <admin key>'", error.get("message").getAsString());
    }

    @Test
    void projectKey_onAdminRoutes_is403_butReadsItself() {
        JsonObject project = h.ok("POST", "/v1/projects", "{\"projectId\": \"search\"}");
        String token = token(project);
        String self = project.getAsJsonObject("key").get("id").getAsString();
        for (String path : List.of("/v1/keys", "/v1/audit-records", "/v1/projects")) {
            JsonObject error = HttpHarness.error(h.get(path, token), 403, "PERMISSION_DENIED");
            assertTrue(error.get("message").getAsString().contains("only read themselves"), error::toString);
        }
        HttpHarness.error(h.send("POST", "/v1/keys/" + self + ":disable", token, null), 403, "PERMISSION_DENIED");
        assertEquals(self, h.ok("GET", "/v1/keys/" + self, token, null).get("id").getAsString());
        assertEquals(self, h.ok("GET", "/v1/keys/" + self + "/usage", token, null).get("keyId").getAsString());
    }

    @Test
    void readOnlyAdmin_reads_butWritingIs403AndAudited() {
        String token = readOnlyAdmin();
        assertTrue(h.ok("GET", "/v1/keys", token, null).getAsJsonArray("keys").size() >= 3);
        JsonObject error = HttpHarness.error(h.send("POST", "/v1/projects", token, "{\"projectId\": \"nope\"}"),
                403, "PERMISSION_DENIED");
        assertTrue(error.get("message").getAsString().contains("may only read"), error::toString);
        HttpHarness.error(h.get("/v1/projects/nope", h.adminToken), 404, "NOT_FOUND");
        JsonArray records = h.ok("GET", "/v1/audit-records?target=project/nope", null).getAsJsonArray("records");
        assertEquals("PERMISSION_DENIED", records.get(0).getAsJsonObject().get("outcome").getAsString());
        assertEquals("CreateProject", records.get(0).getAsJsonObject().get("action").getAsString());
    }

    @Test
    void sidecarCredential_isRefusedByTheAdminApi() {
        String token = token(h.ok("POST", "/v1/keys", """
                {"name": "gateway-eu", "kind": "KEY_KIND_SIDECAR", "ownerType": "OWNER_TYPE_SERVICE_ACCOUNT"}"""));
        for (String path : List.of("/v1/keys", "/v1/whoami")) {
            JsonObject error = HttpHarness.error(h.get(path, token), 403, "PERMISSION_DENIED");
            assertTrue(error.get("message").getAsString().contains("sidecar credentials"), error::toString);
        }
    }

    @Test
    void refusedCalls_areAuditedUnderTheHttpClientsAddress() {
        HttpHarness.error(h.get("/v1/whoami", "kma_thisIsNotAValidChecksumAtAll000000000"), 401, "UNAUTHENTICATED");
        JsonObject summary = null;
        for (var r : h.ok("GET", "/v1/audit-records", null).getAsJsonArray("records")) {
            if ("RefusedCalls".equals(r.getAsJsonObject().get("action").getAsString())) {
                summary = r.getAsJsonObject();
            }
        }
        assertTrue(summary != null, "the first refusal is audited at once");
        assertEquals("127.0.0.1=1", summary.getAsJsonObject("changes").get("peers").getAsString(), summary::toString);
    }

    @Test
    void tokens_neverReachALogLine() {
        String readOnly = readOnlyAdmin();
        h.send("POST", "/v1/projects", readOnly, "{\"projectId\": \"nope\"}");
        h.get("/v1/keys", "kma_thisIsNotAValidChecksumAtAll000000000");
        h.send("POST", "/v1/keys:importLegacy", h.adminToken, """
                {"token": "sk-legacy-0123456789abcdefABCDEF", "name": "old", "kind": "KEY_KIND_PROJECT",
                 "projectId": "payments", "ownerType": "OWNER_TYPE_SERVICE_ACCOUNT", "limits": {"tokenLimit": "5"}}""");
        assertFalse(logLines.isEmpty(), "the calls above log their audit lines");
        for (String line : logLines) {
            for (String secret : List.of(h.adminToken, readOnly, "kma_thisIsNotAValidChecksumAtAll000000000",
                    "sk-legacy-0123456789abcdefABCDEF")) {
                assertFalse(line.contains(secret), line);
            }
        }
    }
}
