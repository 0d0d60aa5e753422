package dev.keymeter.check;

import dev.keymeter.proto.admin.v1.AccessLevel;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real decision ({@link Authorizer} over the real Chronicle replica, shipped route table) against
 * {@link ReferenceAuthorization}, over generated (key, preset, levels, project, route, method) cases:
 * each case is allowed exactly when the reference says so, and an allow never lets the upstream see a
 * project other than the key's own — whatever project the client names in the path or in its own
 * {@value Headers#PROJECT_ID} header.
 *
 * <p>{@code mvn verify} runs 100,000 cases from a fixed seed; {@code -Dkeymeter.property.cases=1000000}
 * (and {@code -Dkeymeter.property.seed=N}) runs more (docs/fuzzing.md).
 */
class AuthorizationPropertyTest {

    private static final int KEYS = 400;
    private static final String[] PROJECTS = {"proj-a", "proj-b", "proj-c", "proj-d"};
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get", "TRACE"};
    private static final String[] SUFFIXES = {"", "/", "/x", "/a/b", "?q=1", "/x?y=/..", "s", "-x", "//", "/./x",
        "/../v1/files", "/.", "/..", "/..x", "/.x/y"};

    @TempDir
    Path dir;

    @Test
    void check_generatedCases_agreeWithTheReferenceAndStayInTheirProject() throws Exception {
        int cases = Integer.getInteger("keymeter.property.cases", 100_000);
        long seed = Long.getLong("keymeter.property.seed", 20_2611_22L);
        Random random = new Random(seed);
        List<ReferenceAuthorization.Key> keys = new ArrayList<>();
        Map<String, String> tokens = new HashMap<>();
        int disagreements = 0;
        int crossProject = 0;
        int allowed = 0;
        List<String> firstDisagreements = new ArrayList<>();
        try (CachingKeyReplica replica = new CachingKeyReplica(ChronicleKeyReplica.open(dir.resolve("keys"), 1_024), 64)) {
            replica.beginSnapshot(1);
            for (int i = 0; i < KEYS; i++) {
                ReferenceAuthorization.Key key = key(random, "key_p" + i);
                String token = TestKeys.userToken();
                keys.add(key);
                tokens.put(key.id(), token);
                replica.upsert(record(key, token));
            }
            replica.endSnapshot(1);
            Authorizer authorizer = new Authorizer(replica, new MutableClock(TestKeys.NOW), CheckSettings.defaults());
            for (int c = 0; c < cases; c++) {
                ReferenceAuthorization.Key key = keys.get(random.nextInt(keys.size()));
                String method = METHODS[random.nextInt(METHODS.length)];
                String claimed = PROJECTS[random.nextInt(PROJECTS.length)];
                String path = path(random, claimed);
                boolean claimsProject = random.nextBoolean();
                CheckResponse response = authorizer.check(request(method, path, tokens.get(key.id()),
                        claimsProject ? claimed : null));
                boolean real = response.getStatus().getCode() == 0;
                boolean expected = key.may(ReferenceAuthorization.need(method, path));
                if (real != expected) {
                    disagreements++;
                    if (firstDisagreements.size() < 10) {
                        firstDisagreements.add(key + " " + method + " " + path + ": real " + real + ", reference " + expected);
                    }
                }
                if (real) {
                    allowed++;
                    String seen = upstreamProject(response, claimsProject ? claimed : null);
                    String own = key.admin() ? null : key.project();
                    if (!java.util.Objects.equals(seen, own)) {
                        crossProject++;
                    }
                }
            }
        }
        System.out.printf("authorization property: seed %d, %d cases, %d allowed, %d disagreements, "
                + "%d cross-project allows%n", seed, cases, allowed, disagreements, crossProject);
        assertEquals(0, disagreements, () -> "first disagreements: " + firstDisagreements);
        assertEquals(0, crossProject, "allows where the upstream sees another project");
        assertTrue(allowed > cases / 10 && allowed < cases - cases / 10, "cases too one-sided: " + allowed + " allowed");
    }

    /** A key: admin or project (in one of the projects), preset All, Read only or Restricted with random levels. */
    private static ReferenceAuthorization.Key key(Random random, String id) {
        boolean admin = random.nextInt(5) == 0;
        int preset = random.nextInt(3);
        Map<String, Integer> levels = new HashMap<>();
        if (preset == 2) {
            for (String resource : ReferenceAuthorization.RESOURCES) {
                int level = random.nextInt(3);
                if (level != ReferenceAuthorization.NONE) {
                    levels.put(resource, level);
                }
            }
        }
        return new ReferenceAuthorization.Key(id, admin, admin ? null : PROJECTS[random.nextInt(PROJECTS.length)],
                preset, Map.copyOf(levels));
    }

    private static KeyRecord record(ReferenceAuthorization.Key key, String token) {
        Permissions.Builder permissions = Permissions.newBuilder().setPreset(switch (key.preset()) {
            case 0 -> PermissionPreset.PERMISSION_PRESET_ALL;
            case 1 -> PermissionPreset.PERMISSION_PRESET_READ_ONLY;
            default -> PermissionPreset.PERMISSION_PRESET_RESTRICTED;
        });
        key.levels().forEach((resource, level) -> permissions.putResources(resource,
                level == ReferenceAuthorization.WRITE ? AccessLevel.ACCESS_LEVEL_WRITE : AccessLevel.ACCESS_LEVEL_READ));
        KeyRecord.Builder record = TestKeys.projectKey(key.id(), token).setPermissions(permissions);
        if (key.admin()) {
            record.setKind(KeyKind.KEY_KIND_ADMIN).clearProjectId();
        } else {
            record.setProjectId(key.project());
        }
        return record.build();
    }

    /** A shipped route with a suffix, a project's own path, or a path no route maps. */
    private static String path(Random random, String project) {
        List<String> routes = new ArrayList<>(ReferenceAuthorization.COLLECTIONS.keySet());
        routes.addAll(ReferenceAuthorization.WRITE_ENDPOINTS.keySet());
        return switch (random.nextInt(6)) {
            case 0 -> "/v1/projects/" + project + SUFFIXES[random.nextInt(SUFFIXES.length)];
            case 1 -> "/v2/files" + SUFFIXES[random.nextInt(SUFFIXES.length)];
            default -> routes.get(random.nextInt(routes.size())).replace("*", "x")
                    + SUFFIXES[random.nextInt(SUFFIXES.length)];
        };
    }

    private static CheckRequest request(String method, String path, String token, String claimedProject) {
        Map<String, String> headers = new HashMap<>();
        headers.put("authorization", "Bearer " + token);
        if (claimedProject != null) {
            headers.put(Headers.PROJECT_ID, claimedProject);
        }
        return Requests.withHeaders(method, path, headers);
    }

    /**
     * The {@value Headers#PROJECT_ID} the upstream receives once Envoy applies the answer: the client's
     * copy unless removed, replaced when the answer sets one.
     */
    private static String upstreamProject(CheckResponse response, String sentByClient) {
        String project = response.getOkResponse().getHeadersToRemoveList().contains(Headers.PROJECT_ID)
                ? null : sentByClient;
        for (HeaderValueOption h : response.getOkResponse().getHeadersList()) {
            if (h.getHeader().getKey().equals(Headers.PROJECT_ID)) {
                project = h.getHeader().getValue();
            }
        }
        return project;
    }
}
