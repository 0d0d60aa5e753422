package dev.keymeter.routes;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of a route table, read once at start-up:
 *
 * <pre>{@code
 * {
 *   "include_defaults": true,
 *   "routes": [
 *     {"method": "POST", "path": "/v1/batches",  "resource": "files",  "access": "write"},
 *     {"method": "*",    "path": "/v1/vector/*", "resource": "knowledge_bases", "access": "write"}
 *   ]
 * }
 * }</pre>
 *
 * <p>{@code method} is optional ({@code *}, every method, when absent); {@code path}, {@code resource}
 * (a catalog wire name) and {@code access} ({@code read} or {@code write}) are required. With
 * {@code include_defaults} (default false) the routes are added to {@link RouteTable#defaults()},
 * replacing a default with the same method and path. Unknown fields are errors, so that a typo never
 * silently drops a rule. Every error names the entry, e.g. {@code routes[2].resource: …}.
 */
final class RouteTableJson {

    private static final Set<String> TOP_FIELDS = Set.of("include_defaults", "routes");
    private static final Set<String> ROUTE_FIELDS = Set.of("method", "path", "resource", "access");

    private RouteTableJson() {
    }

    static RouteTable parse(String json) {
        JsonObject root = object(parseJson(json), "route table");
        checkFields(root, TOP_FIELDS, "route table");
        boolean includeDefaults = root.has("include_defaults") && bool(root.get("include_defaults"));
        if (!root.has("routes") || !root.get("routes").isJsonArray()) {
            throw new IllegalArgumentException("route table: \"routes\" must be an array of routes");
        }
        List<RouteRule> rules = new ArrayList<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        var routes = root.getAsJsonArray("routes");
        for (int i = 0; i < routes.size(); i++) {
            String where = "routes[" + i + "]";
            RouteRule rule = rule(object(routes.get(i), where), where);
            Integer earlier = firstIndex.putIfAbsent(rule.method() + " " + rule.path(), i);
            if (earlier != null) {
                throw new IllegalArgumentException(where + ": same method and path as routes[" + earlier + "] ("
                        + rule.method() + " " + rule.path() + ")");
            }
            rules.add(rule);
        }
        return includeDefaults ? RouteTable.defaults().with(rules) : RouteTable.of(rules);
    }

    private static RouteRule rule(JsonObject route, String where) {
        checkFields(route, ROUTE_FIELDS, where);
        String method = route.has("method") ? string(route, "method", where) : RouteRule.ANY_METHOD;
        String path = string(route, "path", where);
        String resourceName = string(route, "resource", where);
        Resource resource = ResourceAccess.resourceNamed(resourceName);
        if (resource == null) {
            throw new IllegalArgumentException(where + ".resource: \"" + resourceName + "\" is not in the catalog ("
                    + Resource.catalog() + ")");
        }
        String accessName = string(route, "access", where);
        AccessLevel access = ResourceAccess.accessNamed(accessName);
        if (access == null) {
            throw new IllegalArgumentException(where + ".access: must be \"read\" or \"write\", was \"" + accessName + "\"");
        }
        try {
            return new RouteRule(method, path, ResourceAccess.of(resource, access));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static JsonElement parseJson(String json) {
        try {
            return JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("route table: not valid JSON: " + e.getMessage(), e);
        }
    }

    private static JsonObject object(JsonElement e, String where) {
        if (e == null || !e.isJsonObject()) {
            throw new IllegalArgumentException(where + ": must be a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static void checkFields(JsonObject o, Set<String> known, String where) {
        for (String field : o.keySet()) {
            if (!known.contains(field)) {
                throw new IllegalArgumentException(where + ": unknown field \"" + field + "\"; expected "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static String string(JsonObject o, String field, String where) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(where + "." + field + ": required, a string");
        }
        return e.getAsString();
    }

    private static boolean bool(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException("route table: \"include_defaults\" must be true or false");
        }
        return e.getAsBoolean();
    }
}
