package dev.keymeter.routes;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.Resource;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a request needs: {@code access} ({@link AccessLevel#READ} or {@link AccessLevel#WRITE}) to
 * {@code resource}. {@link #of} hands out one shared instance per pair, so that resolving a route
 * allocates nothing.
 */
public record ResourceAccess(Resource resource, AccessLevel access) {

    private static final Map<Resource, ResourceAccess> READS = new EnumMap<>(Resource.class);
    private static final Map<Resource, ResourceAccess> WRITES = new EnumMap<>(Resource.class);
    /** Wire name → resource, without the Optional that {@link Resource#fromWireName} allocates. */
    private static final Map<String, Resource> BY_WIRE_NAME = new HashMap<>();

    static {
        for (Resource r : Resource.values()) {
            READS.put(r, new ResourceAccess(r, AccessLevel.READ));
            WRITES.put(r, new ResourceAccess(r, AccessLevel.WRITE));
            BY_WIRE_NAME.put(r.wireName(), r);
        }
    }

    public ResourceAccess {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(access, "access");
        if (access == AccessLevel.NONE) {
            throw new IllegalArgumentException("access must be READ or WRITE: a route always needs some access");
        }
    }

    /** The shared instance for this pair. */
    public static ResourceAccess of(Resource resource, AccessLevel access) {
        Objects.requireNonNull(resource, "resource");
        return switch (Objects.requireNonNull(access, "access")) {
            case READ -> READS.get(resource);
            case WRITE -> WRITES.get(resource);
            case NONE -> throw new IllegalArgumentException("access must be READ or WRITE");
        };
    }

    /** The resource with this catalog wire name (e.g. {@code chat_completions}), or {@code null}. */
    static Resource resourceNamed(String wireName) {
        return BY_WIRE_NAME.get(wireName);
    }

    /** {@code read} or {@code write} (any case) → the level; anything else → {@code null}. */
    static AccessLevel accessNamed(String name) {
        if ("write".equalsIgnoreCase(name)) {
            return AccessLevel.WRITE;
        }
        return "read".equalsIgnoreCase(name) ? AccessLevel.READ : null;
    }

    /** GET and HEAD read; every other method writes. The rule for REST resources and for missing {@code access}. */
    static AccessLevel accessForMethod(String method) {
        return "GET".equals(method) || "HEAD".equals(method) ? AccessLevel.READ : AccessLevel.WRITE;
    }

    /** E.g. {@code write chat_completions}. */
    @Override
    public String toString() {
        return access.name().toLowerCase(java.util.Locale.ROOT) + " " + resource.wireName();
    }
}
