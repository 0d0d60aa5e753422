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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
        "/../v1/files", "/.", "/..", "/..x", "/.x/y",
        // encoded dot-segments (refused) and look-alikes that are not dot-segments (not refused)
        "/%2e%2e/x", "/%2E%2e", "/.%2e/v1/files", "/%2e./y", "/%2e", "/%2E/x", "/%2e%2e%2e", "/...", "/%252e%252e/x",
        "/.%2", "/x%2e", "?q=/%2e%2e/",
        // backslashes and encoded slashes or backslashes (refused), also in the query (not refused)
        "\\x", "/a\\b", "\\..\\proj-b", "%2Fx", "/a%2fb", "/%2F..", "/%5Cx", "/a%5c", "?q=%2F%5C\\"};

    /** Project segments around the key's own project (OWN) and another (OTHER). */
    private static final String[] PROJECT_SEGMENTS = {"OWN/OTHER", "/OTHER", "/OWN", "OWN%2FOTHER", "OWN/..%2FOTHER",
        "%2e%2e/OTHER", "OWN/%2e%2e/OTHER", "OWN\\..\\OTHER", "OWN%5COTHER", "OTHER%2e", "OWN.", "OWN..", "OWN/.",
        "..", ".", "%2e", "OWN?x=/OTHER", "OWN/OTHER/..", "OWN-OTHER", "OTHER/OWN"};

    /** The shipped routes, sorted: Map.of's iteration order changes from one JVM to the next, a seed's cases must not. */
    private static final List<String> ROUTES = java.util.stream.Stream.concat(
            ReferenceAuthorization.COLLECTIONS.keySet().stream(), ReferenceAuthorization.WRITE_ENDPOINTS.keySet().stream())
            .sorted().toList();

    @TempDir
    Path dir;

    @Test
    void check_generatedCases_agreeWithTheReferenceAndStayInTheirProject() throws Exception {
        int cases = Integer.getInteger("keymeter.property.cases", 100_000);
        long seed = Long.getLong("keymeter.property.seed", 20_2611_22L);
        Random random = new Random(seed);
        Tally tally = new Tally();
        try (CachingKeyReplica replica = new CachingKeyReplica(ChronicleKeyReplica.open(dir.resolve("keys"), 1_024), 64)) {
            Map<ReferenceAuthorization.Key, String> keys = storeKeys(replica, random);
            List<ReferenceAuthorization.Key> pool = List.copyOf(keys.keySet());
            Authorizer authorizer = Authorizer.builder(replica, new MutableClock(TestKeys.NOW), CheckSettings.defaults()).build();
            for (int c = 0; c < cases; c++) {
                ReferenceAuthorization.Key key = pool.get(random.nextInt(pool.size()));
                runCase(authorizer, key, keys.get(key), random, tally);
            }
        }
        System.out.printf("authorization property: seed %d, %d cases, %d allowed, %d disagreements, "
                + "%d cross-project allows (a wrong reference disagreed %d times)%n", seed, cases, tally.allowed,
                tally.disagreements, tally.crossProject, tally.mutantCaught);
        assertEquals(0, tally.disagreements, () -> "first disagreements: " + tally.firstDisagreements);
        assertEquals(0, tally.crossProject, "allows where the upstream sees another project");
        assertEquals(0, tally.wrongKey, "allows naming another key than the token's");
        assertTrue(tally.mutantCaught > 0, "the comparison never noticed a reference that lets HEAD need write");
        assertTrue(tally.allowed > cases / 10 && tally.allowed < cases - cases / 10,
                "cases too one-sided: " + tally.allowed + " allowed");
    }

    /** What the cases showed. */
    private static final class Tally {
        int allowed;
        int disagreements;
        int crossProject;
        int wrongKey;
        int mutantCaught;
        final List<String> firstDisagreements = new ArrayList<>();
    }

    /** {@value #KEYS} generated keys, each stored in the replica with a fresh token; key → token. */
    private static Map<ReferenceAuthorization.Key, String> storeKeys(CachingKeyReplica replica, Random random) {
        Map<ReferenceAuthorization.Key, String> keys = new LinkedHashMap<>();
        replica.beginSnapshot(1);
        for (int i = 0; i < KEYS; i++) {
            ReferenceAuthorization.Key key = key(random, "key_p" + i);
            String token = TestKeys.userToken();
            keys.put(key, token);
            replica.upsert(record(key, token));
        }
        replica.endSnapshot(1);
        return keys;
    }

    /** One case: a method, a path and maybe a claimed project, decided for real and by the reference. */
    private static void runCase(Authorizer authorizer, ReferenceAuthorization.Key key, String token, Random random,
            Tally tally) {
        String method = METHODS[random.nextInt(METHODS.length)];
        String claimed = PROJECTS[random.nextInt(PROJECTS.length)];
        String path = path(random, claimed, key);
        String sentProject = random.nextBoolean() ? claimed : null;
        CheckResponse response = authorizer.check(request(method, path, token, sentProject));
        boolean real = response.getStatus().getCode() == 0;
        ReferenceAuthorization.Need need = ReferenceAuthorization.need(method, path);
        boolean expected = key.may(need);
        if (key.may(headWrites(method, need)) != real) {
            tally.mutantCaught++;
        }
        int status = expectedStatus(key, method, path);
        int realStatus = response.getDeniedResponse().getStatus().getCodeValue();
        boolean statusDiffers = status != 0 && (realStatus != status
                || status == 403 && !response.getDeniedResponse().getBody().contains("project_mismatch"));
        if (real != expected || statusDiffers) {
            tally.disagreements++;
            if (tally.firstDisagreements.size() < 10) {
                tally.firstDisagreements.add(key + " " + method + " " + path + ": real " + real + " (HTTP "
                        + realStatus + "), reference " + expected + (status == 0 ? "" : " (HTTP " + status + ")"));
            }
        }
        if (!real) {
            return;
        }
        tally.allowed++;
        if (!key.id().equals(header(response, Headers.KEY_ID))) {
            tally.wrongKey++;
        }
        if (!Objects.equals(upstreamProject(response, sentProject), key.admin() ? null : key.project())
                || !key.admin() && namesAnotherProject(path, key.project())) {
            tally.crossProject++;
        }
    }

    /**
     * Whether {@code path} names a project other than {@code own} in its {@code /v1/projects/<project>}
     * segment: a project key must never be allowed there, whatever the route table says. Empty
     * segments are skipped, as an upstream that merges slashes would ({@code /v1/projects//x} names
     * {@code x}): Check refuses such paths outright.
     */
    private static boolean namesAnotherProject(String path, String own) {
        String p = ReferenceAuthorization.pathOnly(path);
        if (!p.startsWith("/v1/projects/")) {
            return false;
        }
        for (String segment : p.substring("/v1/projects/".length()).split("/", -1)) {
            if (!segment.isEmpty()) {
                return !segment.equals(own);
            }
        }
        return false;
    }

    /**
     * The HTTP status of a denial the reference can tell apart: 400 for a path refused before any route
     * (whatever the key), 403 when only the project named in the path stands in the way; else 0.
     */
    private static int expectedStatus(ReferenceAuthorization.Key key, String method, String path) {
        if (ReferenceAuthorization.invalidPath(path)) {
            return 400;
        }
        ReferenceAuthorization.Need need = ReferenceAuthorization.need(method, path);
        if (need != null && key.levelOf(need.resource()) >= need.level() && !key.inProject(need)) {
            return 403;
        }
        return 0;
    }

    /**
     * A deliberately wrong reference (HEAD needs write), to show that the comparison notices a
     * difference: it must disagree with the real decision somewhere.
     */
    private static ReferenceAuthorization.Need headWrites(String method, ReferenceAuthorization.Need need) {
        return need != null && method.equals("HEAD")
                ? new ReferenceAuthorization.Need(need.resource(), ReferenceAuthorization.WRITE, need.project()) : need;
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

    /**
     * A shipped route with a suffix, a project's path (the key's own project or another; an empty, an
     * encoded or a dot-like project segment), a model's path, or a path no route maps.
     */
    private static String path(Random random, String project, ReferenceAuthorization.Key key) {
        String suffix = SUFFIXES[random.nextInt(SUFFIXES.length)];
        String own = key.admin() ? project : key.project();
        return switch (random.nextInt(9)) {
            case 0 -> "/v1/projects/" + project + suffix;
            case 1 -> "/v1/projects/" + own + suffix;
            case 2 -> "/v1/projects/" + PROJECT_SEGMENTS[random.nextInt(PROJECT_SEGMENTS.length)]
                    .replace("OWN", own).replace("OTHER", project) + suffix;
            case 3 -> "/v1/models/x" + suffix;
            case 4 -> "/v2/files" + suffix;
            default -> ROUTES.get(random.nextInt(ROUTES.size())).replace("*", "x") + suffix;
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

    private static String header(CheckResponse response, String name) {
        for (HeaderValueOption h : response.getOkResponse().getHeadersList()) {
            if (h.getHeader().getKey().equals(name)) {
                return h.getHeader().getValue();
            }
        }
        return null;
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
