package dev.keymeter.lifecycle;

import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.Permissions;
import java.time.Instant;

/**
 * The settings of a key to create, already checked for form (the admin layer validated each field);
 * {@link KeyCreation} checks the rules that need the store.
 *
 * @param projectId {@code null} for admin keys
 * @param ownerUser {@code null} for service-account keys
 * @param expiresAt {@code null}: never expires
 */
public record NewKey(String name, KeyKind kind, String projectId, OwnerType ownerType, String ownerUser,
        Permissions permissions, Limits limits, Instant expiresAt) {
}
