package dev.keymeter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Projects, members, the audit log, replication status and whoami through JSON. */
class JsonApiProjectsTest {

    @TempDir
    Path dir;
    HttpHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new HttpHarness(dir);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void createProject_isListedAndReadWithItsFirstKey() {
        JsonObject created = h.ok("POST", "/v1/projects", "{\"projectId\": \"payments\", \"displayName\": \"Payments\"}");
        assertEquals("payments", created.getAsJsonObject("project").get("id").getAsString());
        assertTrue(created.get("token").getAsString().startsWith("kms_"));
        assertEquals("Payments", h.ok("GET", "/v1/projects/payments", null).get("displayName").getAsString());
        h.ok("POST", "/v1/projects", "{\"projectId\": \"search\"}");
        JsonArray page = h.ok("GET", "/v1/projects?pageSize=1", null).getAsJsonArray("projects");
        assertEquals(1, page.size());
        assertEquals(2, h.ok("GET", "/v1/projects", null).getAsJsonArray("projects").size());
        HttpHarness.error(h.send("POST", "/v1/projects", h.adminToken, "{\"projectId\": \"payments\"}"), 409,
                "ALREADY_EXISTS");
    }

    @Test
    void deleteProject_revokesItsKeys() {
        String keyId = h.ok("POST", "/v1/projects", "{\"projectId\": \"payments\"}").getAsJsonObject("key")
                .get("id").getAsString();
        assertEquals(1, h.ok("DELETE", "/v1/projects/payments", null).get("revokedKeys").getAsInt());
        HttpHarness.error(h.get("/v1/projects/payments", h.adminToken), 404, "NOT_FOUND");
        assertEquals("KEY_STATUS_REVOKED", h.ok("GET", "/v1/keys/" + keyId, null).get("status").getAsString());
    }

    @Test
    void members_addListRemove_revokesTheUsersKeys() {
        h.ok("POST", "/v1/projects", "{\"projectId\": \"payments\"}");
        JsonObject member = h.ok("POST", "/v1/projects/payments/members", "{\"user\": \"ana+ops@example.com\"}");
        assertEquals("payments", member.get("projectId").getAsString());
        JsonArray members = h.ok("GET", "/v1/projects/payments/members", null).getAsJsonArray("members");
        assertEquals("ana+ops@example.com", members.get(0).getAsJsonObject().get("user").getAsString());
        String keyId = h.ok("POST", "/v1/keys", """
                {"name": "ana", "kind": "KEY_KIND_PROJECT", "projectId": "payments", "ownerType": "OWNER_TYPE_USER",
                 "ownerUser": "ana+ops@example.com"}""").getAsJsonObject("key").get("id").getAsString();
        // '+' in a path is itself; '@' may come encoded or not.
        JsonObject removed = h.ok("DELETE", "/v1/projects/payments/members/ana+ops%40example.com", null);
        assertEquals(List.of(keyId), List.of(removed.getAsJsonArray("revokedKeyIds").get(0).getAsString()));
        assertFalse(h.ok("GET", "/v1/projects/payments/members", null).has("members"));
        assertEquals("KEY_STATUS_REVOKED", h.ok("GET", "/v1/keys/" + keyId, null).get("status").getAsString());
    }

    @Test
    void auditRecords_filterByTarget_andPage() {
        h.ok("POST", "/v1/projects", "{\"projectId\": \"payments\"}");
        h.ok("POST", "/v1/projects", "{\"projectId\": \"search\"}");
        JsonArray records = h.ok("GET", "/v1/audit-records?target=project/search", null).getAsJsonArray("records");
        assertEquals(1, records.size());
        JsonObject record = records.get(0).getAsJsonObject();
        assertEquals("CreateProject", record.get("action").getAsString());
        assertEquals("OK", record.get("outcome").getAsString());
        assertEquals(h.controlPlane.bootstrapKey().orElseThrow().key().id(), record.get("actorKeyId").getAsString());
        JsonObject page = h.ok("GET", "/v1/audit-records?pageSize=1", null);
        assertEquals(1, page.getAsJsonArray("records").size());
        assertTrue(page.has("nextPageToken"));
    }

    @Test
    void replicationStatus_givesTheStoreRevision() {
        long before = h.ok("GET", "/v1/replication-status", null).get("revision").getAsLong();
        h.ok("POST", "/v1/projects", "{\"projectId\": \"payments\"}");
        JsonObject after = h.ok("GET", "/v1/replication-status", null);
        assertTrue(after.get("revision").getAsLong() > before, after::toString);
        assertTrue(after.has("time"));
    }

    @Test
    void whoami_namesTheCallersKey() {
        JsonObject me = h.ok("GET", "/v1/whoami", null);
        assertEquals(h.controlPlane.bootstrapKey().orElseThrow().key().id(), me.get("keyId").getAsString());
        assertEquals("KEY_KIND_ADMIN", me.get("kind").getAsString());
        assertEquals("", me.get("projectId").getAsString());
        assertEquals(h.controlPlane.bootstrapKey().orElseThrow().key().name(), me.get("name").getAsString());
        assertEquals("", me.get("user").getAsString());
        JsonObject project = h.ok("POST", "/v1/projects", "{\"projectId\": \"payments\"}");
        JsonObject projectKey = h.ok("GET", "/v1/whoami", project.get("token").getAsString(), null);
        assertEquals("KEY_KIND_PROJECT", projectKey.get("kind").getAsString());
        assertEquals("payments", projectKey.get("projectId").getAsString());
    }
}
