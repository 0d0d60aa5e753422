package dev.keymeter.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableJsonTest {

    @Test
    void parse_routesOnly_tableHoldsExactlyThem() {
        RouteTable table = RouteTable.parse("""
                {"routes": [
                  {"method": "POST", "path": "/v1/batches", "resource": "files", "access": "write"},
                  {"path": "/v1/vector/*", "resource": "knowledge_bases", "access": "READ"}
                ]}""");
        assertEquals(2, table.rules().size());
        assertEquals(ResourceAccess.of(Resource.FILES, AccessLevel.WRITE), table.match("POST", "/v1/batches"));
        assertNull(table.match("GET", "/v1/batches"));
        assertEquals(ResourceAccess.of(Resource.KNOWLEDGE_BASES, AccessLevel.READ), table.match("DELETE", "/v1/vector/x"));
        assertNull(table.match("POST", "/v1/chat/completions"), "no defaults unless asked");
    }

    @Test
    void parse_includeDefaults_addsAndOverridesDefaultRoutes() {
        RouteTable table = RouteTable.parse("""
                {"include_defaults": true, "routes": [
                  {"method": "*", "path": "/v1/embeddings", "resource": "embeddings", "access": "read"},
                  {"method": "POST", "path": "/v1/batches", "resource": "files", "access": "write"}
                ]}""");
        assertEquals(ResourceAccess.of(Resource.EMBEDDINGS, AccessLevel.READ), table.match("POST", "/v1/embeddings"));
        assertEquals(ResourceAccess.of(Resource.FILES, AccessLevel.WRITE), table.match("POST", "/v1/batches"));
        assertEquals(ResourceAccess.of(Resource.CHAT_COMPLETIONS, AccessLevel.WRITE),
                table.match("POST", "/v1/chat/completions"));
        assertEquals(RouteTable.defaults().rules().size() + 1, table.rules().size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{                                                                      | not valid JSON",
            "[]                                                                     | route table: must be a JSON object",
            "{}                                                                     | \"routes\" must be an array",
            "{\"rutes\": []}                                                        | unknown field \"rutes\"",
            "{\"routes\": [], \"include_defaults\": \"yes\"}                        | \"include_defaults\" must be true or false",
            "{\"routes\": [7]}                                                      | routes[0]: must be a JSON object",
            "{\"routes\": [{\"path\": \"/a\", \"resource\": \"files\"}]}            | routes[0].access: required",
            "{\"routes\": [{\"path\": \"/a\", \"access\": \"read\"}]}               | routes[0].resource: required",
            "{\"routes\": [{\"resource\": \"files\", \"access\": \"read\"}]}        | routes[0].path: required",
            "{\"routes\": [{\"path\": \"/a\", \"resource\": \"filez\", \"access\": \"read\"}]} | routes[0].resource: \"filez\" is not in the catalog",
            "{\"routes\": [{\"path\": \"/a\", \"resource\": \"files\", \"access\": \"none\"}]} | routes[0].access: must be \"read\" or \"write\"",
            "{\"routes\": [{\"path\": \"a\", \"resource\": \"files\", \"access\": \"read\"}]}  | routes[0]: path must start with",
            "{\"routes\": [{\"method\": \"get\", \"path\": \"/a\", \"resource\": \"files\", \"access\": \"read\"}]} | routes[0]: method must be upper-case",
            "{\"routes\": [{\"path\": \"/a\", \"resource\": \"files\", \"access\": \"read\", \"acess\": 1}]} | routes[0]: unknown field \"acess\"",
    })
    void parse_badInput_errorNamesTheEntry(String json, String expected) {
        var e = assertThrows(IllegalArgumentException.class, () -> RouteTable.parse(json));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void parse_duplicateRoute_errorNamesBothEntries() {
        var e = assertThrows(IllegalArgumentException.class, () -> RouteTable.parse("""
                {"routes": [
                  {"path": "/a", "resource": "files", "access": "read"},
                  {"method": "GET", "path": "/b", "resource": "files", "access": "read"},
                  {"path": "/a", "resource": "tools", "access": "write"}
                ]}"""));
        assertEquals("routes[2]: same method and path as routes[0] (* /a)", e.getMessage());
    }
}
