package dev.keymeter.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Route rules with a {@code {project}} segment: their JSON form, matching and precedence, the project they name. */
class ProjectRoutesTest {

    private static final RouteTable TABLE = RouteTable.parse("""
            {"include_defaults": true, "routes": [
              {"method": "POST", "path": "/v1/projects/{project}/prompts/*", "resource": "prompts", "access": "write"},
              {"method": "GET",  "path": "/v1/projects/{project}/prompts/*", "resource": "prompts", "access": "read"},
              {"path": "/v1/projects/{project}/datasets", "resource": "datasets", "access": "read"},
              {"path": "/v1/projects/shared/datasets", "resource": "files", "access": "read"}
            ]}""");

    @Test
    void match_projectRule_mapsAndNamesTheSegment() {
        assertEquals(ResourceAccess.of(Resource.PROMPTS, AccessLevel.WRITE), TABLE.match("POST", "/v1/projects/proj_2/prompts/p1"));
        assertEquals("proj_2", TABLE.projectOf("POST", "/v1/projects/proj_2/prompts/p1?x=1"));
        assertEquals(ResourceAccess.of(Resource.PROMPTS, AccessLevel.READ), TABLE.match("GET", "/v1/projects/p/prompts/a/b"));
        assertEquals(ResourceAccess.of(Resource.DATASETS, AccessLevel.READ), TABLE.match("DELETE", "/v1/projects/p/datasets"));
        assertEquals("p", TABLE.projectOf("DELETE", "/v1/projects/p/datasets"));
        assertTrue(TABLE.namesProjects());
    }

    @Test
    void match_exactRule_beatsProjectRule_andProjectRuleBeatsPrefix() {
        assertEquals(ResourceAccess.of(Resource.FILES, AccessLevel.READ), TABLE.match("GET", "/v1/projects/shared/datasets"));
        assertNull(TABLE.projectOf("GET", "/v1/projects/shared/datasets"), "the exact rule names no project");
        // The shipped /v1/projects/{project}/* (projects) would map it too: the longer project rule wins.
        assertEquals(ResourceAccess.of(Resource.PROMPTS, AccessLevel.WRITE), TABLE.match("POST", "/v1/projects/x/prompts/y"));
    }

    @Test
    void defaults_oneProject_namesIt_andTheListNamesNone() {
        RouteTable defaults = RouteTable.defaults();
        assertEquals(ResourceAccess.of(Resource.PROJECTS, AccessLevel.READ), defaults.match("GET", "/v1/projects/proj_2"));
        assertEquals("proj_2", defaults.projectOf("GET", "/v1/projects/proj_2"));
        assertEquals("proj_2", defaults.projectOf("DELETE", "/v1/projects/proj_2/members/u1"));
        assertEquals(ResourceAccess.of(Resource.PROJECTS, AccessLevel.WRITE), defaults.match("DELETE", "/v1/projects/proj_2"));
        assertNull(defaults.projectOf("GET", "/v1/projects"));
        assertNull(defaults.projectOf("POST", "/v1/chat/completions"));
    }

    @Test
    void projectOf_emptySegment_matchesNoProjectRule() {
        assertNull(TABLE.projectOf("POST", "/v1/projects//prompts/p1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/projects/{project}/{project}", "/v1/projects/{proj}/x", "/v1/projects/x{project}",
            "/v1/{project}s", "/v1/projects/{project"})
    void parse_bracesOtherThanOneProjectSegment_isAnErrorNamingTheEntry(String path) {
        var e = assertThrows(IllegalArgumentException.class, () -> RouteTable.parse(
                "{\"routes\": [{\"path\": \"" + path + "\", \"resource\": \"files\", \"access\": \"read\"}]}"));
        assertTrue(e.getMessage().startsWith("routes[0]: path may hold braces only as one whole \"{project}\""),
                e.getMessage());
    }

    @Test
    void parse_backslashInPath_isAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> RouteTable.parse(
                "{\"routes\": [{\"path\": \"/v1/a\\\\b\", \"resource\": \"files\", \"access\": \"read\"}]}"));
        assertTrue(e.getMessage().contains("backslash"), e.getMessage());
    }
}
