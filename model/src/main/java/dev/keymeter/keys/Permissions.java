package dev.keymeter.keys;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A preset and, for {@link PermissionPreset#RESTRICTED}, one level per resource. Resources absent
 * from {@code levels} have {@link AccessLevel#NONE}.
 */
public record Permissions(PermissionPreset preset, Map<Resource, AccessLevel> levels) {

    public static final Permissions ALL = new Permissions(PermissionPreset.ALL, Map.of());
    public static final Permissions READ_ONLY = new Permissions(PermissionPreset.READ_ONLY, Map.of());

    public Permissions {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(levels, "levels");
        if (preset != PermissionPreset.RESTRICTED && !levels.isEmpty()) {
            throw new IllegalArgumentException("per-resource levels need preset RESTRICTED, not " + preset);
        }
        EnumMap<Resource, AccessLevel> copy = new EnumMap<>(Resource.class);
        levels.forEach((r, l) -> {
            if (l != AccessLevel.NONE) {
                copy.put(r, l);
            }
        });
        levels = java.util.Collections.unmodifiableMap(copy);
    }

    public static Permissions restricted(Map<Resource, AccessLevel> levels) {
        return new Permissions(PermissionPreset.RESTRICTED, levels);
    }

    /** The level this key has on {@code resource}. */
    public AccessLevel levelOf(Resource resource) {
        return switch (preset) {
            case ALL -> AccessLevel.WRITE;
            case READ_ONLY -> AccessLevel.READ;
            case RESTRICTED -> levels.getOrDefault(resource, AccessLevel.NONE);
        };
    }

    /** True when the key may perform {@code access} on {@code resource}; write includes read. */
    public boolean allows(Resource resource, AccessLevel access) {
        return levelOf(resource).grants(access);
    }
}
