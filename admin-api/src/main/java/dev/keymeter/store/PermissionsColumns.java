package dev.keymeter.store;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Resource;
import java.lang.reflect.Type;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Permissions as two columns: the preset by name, and the per-resource levels as a JSON object
 * keyed by the resource's wire name (stable across enum reordering, readable in a SQL shell).
 */
final class PermissionsColumns {

    private static final Gson GSON = new Gson();
    private static final Type LEVELS = new TypeToken<Map<String, String>>() { }.getType();

    private PermissionsColumns() {
    }

    /** The levels as JSON, sorted by wire name so equal permissions give equal text. */
    static String levelsJson(Permissions permissions) {
        Map<String, String> levels = new TreeMap<>();
        permissions.levels().forEach((resource, level) -> levels.put(resource.wireName(), level.name()));
        return GSON.toJson(levels);
    }

    static Permissions permissions(String preset, String levelsJson) {
        Map<String, String> stored = GSON.fromJson(levelsJson, LEVELS);
        Map<Resource, AccessLevel> levels = new EnumMap<>(Resource.class);
        stored.forEach((wireName, level) -> levels.put(resource(wireName), AccessLevel.valueOf(level)));
        return new Permissions(PermissionPreset.valueOf(preset), levels);
    }

    private static Resource resource(String wireName) {
        return Resource.fromWireName(wireName).orElseThrow(() -> new StoreException(
                "read key: stored permissions name resource '" + wireName + "', which the catalog no longer has",
                null));
    }
}
