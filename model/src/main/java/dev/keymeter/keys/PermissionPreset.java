package dev.keymeter.keys;

/** The permission presets of a key. */
public enum PermissionPreset {
    /** Read and write every resource. */
    ALL,
    /** Read every resource. */
    READ_ONLY,
    /** A level per resource; resources not named have {@link AccessLevel#NONE}. */
    RESTRICTED
}
