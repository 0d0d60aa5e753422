package dev.keymeter.store;

import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;

/** Filters for listing keys; a {@code null} field matches everything. They combine with AND. */
public record KeyFilter(String projectId, KeyKind kind, OwnerType ownerType, KeyStatus status,
        PermissionPreset preset) {

    public static final KeyFilter ALL = new KeyFilter(null, null, null, null, null);
}
