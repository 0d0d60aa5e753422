package dev.keymeter.routes;

import static dev.keymeter.keys.AccessLevel.READ;
import static dev.keymeter.keys.AccessLevel.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.Resource;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RouteTableTest {

    private static final RouteTable DEFAULTS = RouteTable.defaults();

    @ParameterizedTest(name = "{0} {1} -> {3} {2}")
    @CsvSource({
            "POST,   /v1/chat/completions,               chat_completions, WRITE",
            "POST,   /v1/chat/completions?stream=true,   chat_completions, WRITE",
            "GET,    /v1/chat/completions,               chat_completions, READ",
            "GET,    /v1/chat/completions/cmpl_1,        chat_completions, READ",
            "POST,   /v1/completions,                    chat_completions, WRITE",
            "GET,    /v1/completions,                    chat_completions, WRITE",
            "POST,   /v1/embeddings,                     embeddings,       WRITE",
            "POST,   /v1/images/generations,             images,           WRITE",
            "POST,   /v1/images/edits,                   images,           WRITE",
            "GET,    /v1/models,                         models,           READ",
            "HEAD,   /v1/models,                         models,           READ",
            "GET,    /v1/models/gpt-4o?x=1,              models,           READ",
            "DELETE, /v1/models/ft-model,                models,           WRITE",
            "POST,   /v1/moderations,                    moderations,      WRITE",
            "POST,   /v1/rerank,                         rerank,           WRITE",
            "POST,   /v1/responses,                      responses,        WRITE",
            "GET,    /v1/responses/resp_1,               responses,        READ",
            "DELETE, /v1/responses/resp_1,               responses,        WRITE",
            "POST,   /v1/responses/resp_1/cancel,        responses,        WRITE",
            "POST,   /v1/audio/speech,                   speech,           WRITE",
            "POST,   /v1/audio/transcriptions,           transcriptions,   WRITE",
            "POST,   /v1/ocr,                            ocr,              WRITE",
    })
    void defaults_gatewayPaths_mapToTheirResource(String method, String path, String resource, AccessLevel access) {
        assertEquals(ResourceAccess.of(Resource.fromWireName(resource).orElseThrow(), access),
                DEFAULTS.match(method, path));
    }

    static Stream<Arguments> platformResources() {
        return Arrays.stream(Resource.values()).filter(r -> r.group() == Resource.Group.PLATFORM).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("platformResources")
    void defaults_everyPlatformResource_readsOnGetAndHeadWritesOtherwise(Resource resource) {
        String base = "/v1/" + resource.wireName().replace('_', '-');
        assertEquals(ResourceAccess.of(resource, READ), DEFAULTS.match("GET", base));
        assertEquals(ResourceAccess.of(resource, READ), DEFAULTS.match("HEAD", base + "?page=2"));
        assertEquals(ResourceAccess.of(resource, READ), DEFAULTS.match("GET", base + "/id_1/items"));
        assertEquals(ResourceAccess.of(resource, WRITE), DEFAULTS.match("POST", base));
        assertEquals(ResourceAccess.of(resource, WRITE), DEFAULTS.match("PATCH", base + "/id_1"));
        assertEquals(ResourceAccess.of(resource, WRITE), DEFAULTS.match("DELETE", base + "/id_1"));
    }

    @Test
    void defaults_dashedPlatformNames_areThePaths() {
        assertEquals(ResourceAccess.of(Resource.AGENT_SCHEDULES, READ), DEFAULTS.match("GET", "/v1/agent-schedules"));
        assertEquals(ResourceAccess.of(Resource.KNOWLEDGE_BASES, WRITE), DEFAULTS.match("PUT", "/v1/knowledge-bases/kb"));
        assertNull(DEFAULTS.match("GET", "/v1/agent_schedules"));
    }

    @ParameterizedTest
    @CsvSource({
            "GET,  /",
            "GET,  /v2/models",
            "POST, /v1/chat",
            "POST, /v1/images",
            "GET,  /v1/datasetsx",
            "GET,  /v1/modelsx/1",
            "GET,  /V1/models",
            "POST, ''",
            "GET,  /v1/models/../chat/completions",
            "POST, /v1/models/./x",
            "GET,  /v1/datasets/..",
    })
    void defaults_unmappedOrDotSegmentPaths_matchNothing(String method, String path) {
        assertNull(DEFAULTS.match(method, path));
    }

    @Test
    void match_longestPrefix_wins() {
        RouteTable table = RouteTable.of(List.of(
                rule("*", "/v1/*", Resource.MODELS, READ),
                rule("*", "/v1/images/*", Resource.IMAGES, WRITE)));
        assertEquals(ResourceAccess.of(Resource.IMAGES, WRITE), table.match("POST", "/v1/images/generations"));
        assertEquals(ResourceAccess.of(Resource.MODELS, READ), table.match("POST", "/v1/other"));
    }

    @Test
    void match_exactRule_beatsPrefixOfSameLength() {
        RouteTable table = RouteTable.of(List.of(
                rule("*", "/v1/files/*", Resource.FILES, READ),
                rule("*", "/v1/files/", Resource.DATASETS, WRITE)));
        assertEquals(ResourceAccess.of(Resource.DATASETS, WRITE), table.match("GET", "/v1/files/"));
        assertEquals(ResourceAccess.of(Resource.FILES, READ), table.match("GET", "/v1/files/a"));
    }

    @Test
    void match_patternWithoutRuleForMethod_fallsBackToShorterPrefix() {
        RouteTable table = RouteTable.of(List.of(
                rule("*", "/v1/*", Resource.MODELS, WRITE),
                rule("GET", "/v1/tools/*", Resource.TOOLS, READ)));
        assertEquals(ResourceAccess.of(Resource.TOOLS, READ), table.match("GET", "/v1/tools/x"));
        assertEquals(ResourceAccess.of(Resource.MODELS, WRITE), table.match("POST", "/v1/tools/x"));
    }

    @Test
    void match_namedMethod_beatsAnyMethodOnSamePattern() {
        RouteTable table = RouteTable.of(List.of(
                rule("*", "/v1/x", Resource.TOOLS, WRITE),
                rule("GET", "/v1/x", Resource.TOOLS, READ)));
        assertEquals(ResourceAccess.of(Resource.TOOLS, READ), table.match("GET", "/v1/x"));
        assertEquals(ResourceAccess.of(Resource.TOOLS, WRITE), table.match("PUT", "/v1/x"));
    }

    @Test
    void match_manyPatterns_findsEachOneAndNoOther() {
        List<RouteRule> rules = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            rules.add(rule("*", "/p" + i + "/*", Resource.values()[i % Resource.values().length], WRITE));
        }
        RouteTable table = RouteTable.of(rules);
        for (int i = 0; i < 500; i++) {
            assertEquals(rules.get(i).target(), table.match("GET", "/p" + i + "/x"), "pattern " + i);
        }
        assertNull(table.match("GET", "/p500/x"));
    }

    @Test
    void of_twoRulesForSameMethodAndPath_isRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> RouteTable.of(List.of(
                rule("GET", "/v1/x", Resource.TOOLS, READ), rule("GET", "/v1/x", Resource.TOOLS, WRITE))));
        assertTrue(e.getMessage().contains("GET /v1/x"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "get  | /v1/x      | method must be upper-case",
            "''   | /v1/x      | method must be an HTTP method",
            "GET  | v1/x       | path must start with",
            "GET  | /v1/*/x    | only as a final",
            "GET  | /v1*       | only as a final",
            "GET  | /v1/x?y=1  | without spaces",
            "GET  | '/v1/a b'  | without spaces",
    })
    void routeRule_invalidMethodOrPath_isRefusedWithReason(String method, String path, String reason) {
        var e = assertThrows(IllegalArgumentException.class,
                () -> rule(method, path, Resource.TOOLS, READ));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    private static RouteRule rule(String method, String path, Resource resource, AccessLevel access) {
        return new RouteRule(method, path, ResourceAccess.of(resource, access));
    }
}
