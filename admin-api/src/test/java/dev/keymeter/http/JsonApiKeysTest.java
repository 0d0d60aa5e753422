package dev.keymeter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every key route through JSON, each effect checked by reading it back (JSON again) and in the audit log. */
class JsonApiKeysTest {

    static final String RESTRICTED = """
            {"name": "ci-bot", "kind": "KEY_KIND_PROJECT", "projectId": "payments",
             "ownerType": "OWNER_TYPE_SERVICE_ACCOUNT",
             "permissions": {"preset": "PERMISSION_PRESET_RESTRICTED",
                             "resources": {"chat_completions": "ACCESS_LEVEL_WRITE", "models": "ACCESS_LEVEL_READ"}},
             "limits": {"costLimitMicroUsd": "25000000", "tokenLimit": "1000000", "requestsPerMinute": "60",
                        "resetPeriod": "RESET_PERIOD_MONTHLY"}}
            """;

    @TempDir
    Path dir;
    HttpHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new HttpHarness(dir);
        h.ok("POST", "/v1/projects", "{\"projectId\": \"payments\"}");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private JsonObject create() {
        return h.ok("POST", "/v1/keys", RESTRICTED);
    }

    private static String id(JsonObject created) {
        return created.getAsJsonObject("key").get("id").getAsString();
    }

    private JsonObject key(String id) {
        return h.ok("GET", "/v1/keys/" + id, null);
    }

    @Test
    void createKey_restrictedWithLimits_isStoredAndListedWithoutItsToken() {
        JsonObject created = create();
        String token = created.get("token").getAsString();
        assertTrue(token.startsWith("kms_"), token);
        JsonObject got = key(id(created));
        assertEquals("ci-bot", got.get("name").getAsString());
        assertEquals("KEY_STATUS_ACTIVE", got.get("status").getAsString());
        assertEquals("ACCESS_LEVEL_WRITE",
                got.getAsJsonObject("permissions").getAsJsonObject("resources").get("chat_completions").getAsString());
        assertEquals("25000000", got.getAsJsonObject("limits").get("costLimitMicroUsd").getAsString(), "int64 as string");
        assertEquals("RESET_PERIOD_MONTHLY", got.getAsJsonObject("limits").get("resetPeriod").getAsString());
        String listed = h.send("GET", "/v1/keys?projectId=payments", h.adminToken, null).body();
        assertTrue(listed.contains(id(created)), listed);
        assertFalse(listed.contains(token), "the token is shown only at creation");
        assertAudited("CreateKey", "key/" + id(created));
    }

    @Test
    void listKeys_filtersAndPages_byQueryParameters() {
        String keyId = id(create());
        JsonArray restricted = h.ok("GET", "/v1/keys?permissionPreset=PERMISSION_PRESET_RESTRICTED&kind=KEY_KIND_PROJECT",
                null).getAsJsonArray("keys");
        assertEquals(List.of(keyId), ids(restricted));
        JsonObject first = h.ok("GET", "/v1/keys?page_size=1", null);
        assertEquals(1, first.getAsJsonArray("keys").size());
        String next = first.get("nextPageToken").getAsString();
        JsonObject second = h.ok("GET", "/v1/keys?pageSize=1&pageToken=" + java.net.URLEncoder.encode(next,
                java.nio.charset.StandardCharsets.UTF_8), null);
        assertNotEquals(ids(first.getAsJsonArray("keys")), ids(second.getAsJsonArray("keys")));
        assertFalse(h.ok("GET", "/v1/keys?status=KEY_STATUS_REVOKED", null).has("keys"), "empty lists are omitted");
    }

    @Test
    void updateKey_patchWithMask_changesOnlyTheMaskedFields() {
        String keyId = id(create());
        JsonObject updated = h.ok("PATCH", "/v1/keys/" + keyId,
                "{\"key\": {\"name\": \"renamed\", \"limits\": {\"tokenLimit\": \"5\"}, \"legacy\": true},"
                        + " \"updateMask\": \"name,limits.tokenLimit\"}");
        assertEquals("renamed", updated.get("name").getAsString());
        JsonObject got = key(keyId);
        assertEquals("renamed", got.get("name").getAsString());
        assertEquals("5", got.getAsJsonObject("limits").get("tokenLimit").getAsString());
        assertEquals("25000000", got.getAsJsonObject("limits").get("costLimitMicroUsd").getAsString());
        assertFalse(got.has("legacy"), "not in the mask: unchanged");
        assertAudited("UpdateKey", "key/" + keyId);
    }

    @Test
    void duplicateKey_copiesSettingsUnderTheNewName() {
        String keyId = id(create());
        JsonObject copy = h.ok("POST", "/v1/keys/" + keyId + ":duplicate", "{\"name\": \"ci-bot-2\"}");
        assertNotEquals(keyId, id(copy));
        JsonObject got = key(id(copy));
        assertEquals("ci-bot-2", got.get("name").getAsString());
        assertEquals("60", got.getAsJsonObject("limits").get("requestsPerMinute").getAsString());
        assertAudited("DuplicateKey", "key/" + id(copy));
    }

    @Test
    void rotateKey_withGracePeriod_issuesANewTokenKeepingTheOldOneForAWhile() {
        JsonObject created = create();
        String keyId = id(created);
        JsonObject rotated = h.ok("POST", "/v1/keys/" + keyId + ":rotate", "{\"gracePeriod\": \"3600s\"}");
        assertEquals(keyId, id(rotated));
        assertNotEquals(created.get("token").getAsString(), rotated.get("token").getAsString());
        JsonObject got = key(keyId);
        assertTrue(got.has("previousSecretExpireTime"), got::toString);
        assertTrue(got.get("previousSecretExpireTime").getAsString().endsWith("Z"), "RFC 3339");
        assertAudited("RotateKey", "key/" + keyId);
    }

    @Test
    void disableEnableRevoke_changeTheStatus() {
        String keyId = id(create());
        assertEquals("KEY_STATUS_DISABLED",
                h.ok("POST", "/v1/keys/" + keyId + ":disable", null).get("status").getAsString());
        assertEquals("KEY_STATUS_DISABLED", key(keyId).get("status").getAsString());
        assertEquals("KEY_STATUS_ACTIVE", h.ok("POST", "/v1/keys/" + keyId + ":enable", "{}").get("status").getAsString());
        assertEquals("KEY_STATUS_ACTIVE", key(keyId).get("status").getAsString());
        h.ok("POST", "/v1/keys/" + keyId + ":revoke", null);
        assertEquals("KEY_STATUS_REVOKED", key(keyId).get("status").getAsString());
        for (String action : List.of("DisableKey", "EnableKey", "RevokeKey")) {
            assertAudited(action, "key/" + keyId);
        }
        HttpHarness.error(h.send("POST", "/v1/keys/" + keyId + ":enable", h.adminToken, null), 400,
                "FAILED_PRECONDITION");
    }

    @Test
    void deleteKey_removesIt() {
        String keyId = id(create());
        assertEquals(0, h.ok("DELETE", "/v1/keys/" + keyId, null).size());
        HttpHarness.error(h.get("/v1/keys/" + keyId, h.adminToken), 404, "NOT_FOUND");
        assertAudited("DeleteKey", "key/" + keyId);
    }

    @Test
    void importLegacy_keyIsFlaggedLegacy() {
        JsonObject key = h.ok("POST", "/v1/keys:importLegacy", """
                {"token": "sk-legacy-0123456789abcdefABCDEF", "name": "old", "kind": "KEY_KIND_PROJECT",
                 "projectId": "payments", "ownerType": "OWNER_TYPE_SERVICE_ACCOUNT"}""");
        assertTrue(key.get("legacy").getAsBoolean());
        assertTrue(key(key.get("id").getAsString()).get("legacy").getAsBoolean());
        assertFalse(h.ok("GET", "/v1/keys", null).toString().contains("sk-legacy-0123456789abcdefABCDEF"));
    }

    @Test
    void usage_readAndReset() {
        String keyId = id(create());
        JsonObject usage = h.ok("GET", "/v1/keys/" + keyId + "/usage", null);
        assertEquals(keyId, usage.get("keyId").getAsString());
        assertEquals("1000000", usage.getAsJsonObject("tokens").get("limit").getAsString());
        JsonObject reset = h.ok("POST", "/v1/keys/" + keyId + "/usage:reset", null);
        assertTrue(reset.has("usageResetTime"), reset::toString);
        assertTrue(h.ok("GET", "/v1/keys/" + keyId + "/usage", null).has("usageResetTime"));
        assertAudited("ResetKeyUsage", "key/" + keyId);
    }

    private void assertAudited(String action, String target) {
        JsonArray records = h.ok("GET", "/v1/audit-records?target=" + target, null).getAsJsonArray("records");
        List<String> actions = new ArrayList<>();
        for (JsonElement r : records) {
            assertEquals(target, r.getAsJsonObject().get("target").getAsString());
            actions.add(r.getAsJsonObject().get("action").getAsString());
        }
        assertTrue(actions.contains(action), () -> action + " on " + target + " not in " + records);
    }

    static List<String> ids(JsonArray keys) {
        List<String> ids = new ArrayList<>();
        keys.forEach(k -> ids.add(k.getAsJsonObject().get("id").getAsString()));
        return ids;
    }
}
