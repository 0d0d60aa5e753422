package dev.keymeter.routes;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzzes the route-table reader ({@link RouteTableJson}): any text either reads as a table that then
 * matches any request without failing, or is refused with the documented
 * {@link IllegalArgumentException} and a message; nothing else escapes. Half the inputs are route
 * entries built from fuzzed fields, so that the checks past the JSON syntax are reached too.
 *
 * <p>{@code mvn verify} replays the seed inputs under {@code RouteTableJsonFuzzTestInputs/}; how to
 * fuzz is in docs/fuzzing.md.
 */
class RouteTableJsonFuzzTest {

    private static final String[] FIELDS = {"method", "path", "resource", "access", "include_defaults", "x"};

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void parse_fuzzedJson_readsOrRefusesWithAMessage(FuzzedDataProvider data) {
        String json = data.consumeBoolean() ? routes(data) : data.consumeRemainingAsString();
        RouteTable table;
        try {
            table = RouteTable.parse(json);
        } catch (IllegalArgumentException refused) {
            assertNotNull(refused.getMessage());
            assertFalse(refused.getMessage().isBlank());
            return;
        }
        for (String method : new String[] {"GET", "POST", "DELETE", ""}) {
            for (String path : new String[] {"/v1/files", "/v1/files/a/b?x=1", "/", "", "/v1/../x", "//"}) {
                table.match(method, path); // any answer, null included; never an exception
            }
        }
    }

    /** {@code {"include_defaults": …, "routes": [{…}, …]}} with fuzzed field names and values. */
    private static String routes(FuzzedDataProvider data) {
        StringBuilder json = new StringBuilder("{\"include_defaults\": ").append(data.consumeBoolean())
                .append(", \"routes\": [");
        int n = data.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "{" : ", {");
            int fields = data.consumeInt(0, 5);
            for (int f = 0; f < fields; f++) {
                json.append(f == 0 ? "" : ", ").append('"').append(data.pickValue(FIELDS)).append("\": ")
                        .append(value(data));
            }
            json.append('}');
        }
        return json.append("]}").toString();
    }

    private static String value(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> "\"" + data.consumeString(30).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            case 1 -> data.pickValue(new String[] {"\"GET\"", "\"*\"", "\"/v1/x/*\"", "\"files\"", "\"read\"",
                "\"write\"", "\"/v1/files\""});
            case 2 -> data.pickValue(new String[] {"null", "true", "1", "[]", "{}", "-0.5e3"});
            default -> data.consumeString(20);
        };
    }
}
