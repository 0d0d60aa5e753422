package dev.keymeter.keys;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An API key as the control plane stores it. Immutable: every change makes a new instance (the
 * {@code with*} methods).
 *
 * @param id stable identifier, unchanged by rotation
 * @param name unique within the project (within the organization for admin keys)
 * @param projectId the project of a project key; {@code null} for admin keys
 * @param ownerUser the owning user of a user key; {@code null} for service-account keys
 * @param expiresAt {@code null}: never expires
 * @param legacy an imported token of any format: no limits, no restricted permissions
 * @param createdBy id of the key that created this one
 * @param revision the store revision of the last change to this key
 * @param secrets the live secrets, current first; at most two
 */
public record ApiKey(
        String id,
        String name,
        KeyKind kind,
        OwnerType ownerType,
        String ownerUser,
        String projectId,
        KeyStatus status,
        Permissions permissions,
        Limits limits,
        Instant expiresAt,
        boolean legacy,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        long revision,
        List<Secret> secrets,
        Instant usageResetAt) {

    /** The most live secrets a key ever has: the current one and one in its grace period. */
    public static final int MAX_SECRETS = 2;

    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(ownerType, "ownerType");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(permissions, "permissions");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        secrets = List.copyOf(secrets);
        if (secrets.size() > MAX_SECRETS) {
            throw new IllegalArgumentException("a key has at most " + MAX_SECRETS + " secrets, got " + secrets.size());
        }
        if ((kind == KeyKind.PROJECT) != (projectId != null)) {
            throw new IllegalArgumentException("project keys, and only they, have a project: " + kind + "/" + projectId);
        }
        if ((ownerType == OwnerType.USER) != (ownerUser != null)) {
            throw new IllegalArgumentException("user keys, and only they, have an owner user");
        }
    }

    /** The current secret (the one without a grace expiry). */
    public Optional<Secret> currentSecret() {
        return secrets.stream().filter(Secret::isCurrent).findFirst();
    }

    /** The rotated-out secret that is still in its grace period at {@code now}, if any. */
    public Optional<Secret> previousSecret(Instant now) {
        return secrets.stream().filter(s -> !s.isCurrent() && s.isLiveAt(now)).findFirst();
    }

    /** True when the key authenticates at {@code now}: active and not expired. */
    public boolean isUsableAt(Instant now) {
        return status == KeyStatus.ACTIVE && (expiresAt == null || now.isBefore(expiresAt));
    }

    /** A key whose usage was never reset ({@code usageResetAt} null). */
    public ApiKey(String id, String name, KeyKind kind, OwnerType ownerType, String ownerUser, String projectId,
            KeyStatus status, Permissions permissions, Limits limits, Instant expiresAt, boolean legacy,
            String createdBy, Instant createdAt, Instant updatedAt, long revision, List<Secret> secrets) {
        this(id, name, kind, ownerType, ownerUser, projectId, status, permissions, limits, expiresAt, legacy,
                createdBy, createdAt, updatedAt, revision, secrets, null);
    }

    /** The key after an administrative usage reset at {@code now}: sidecars start it on fresh counters. */
    public ApiKey withUsageReset(Instant now, long newRevision) {
        return new ApiKey(id, name, kind, ownerType, ownerUser, projectId, status, permissions, limits,
                expiresAt, legacy, createdBy, createdAt, now, newRevision, secrets, now);
    }

    public ApiKey withStatus(KeyStatus newStatus, Instant now, long newRevision) {
        return new ApiKey(id, name, kind, ownerType, ownerUser, projectId, newStatus, permissions, limits,
                expiresAt, legacy, createdBy, createdAt, now, newRevision, secrets, usageResetAt);
    }

    public ApiKey withSecrets(List<Secret> newSecrets, Instant now, long newRevision) {
        return new ApiKey(id, name, kind, ownerType, ownerUser, projectId, status, permissions, limits,
                expiresAt, legacy, createdBy, createdAt, now, newRevision, newSecrets, usageResetAt);
    }

    public ApiKey withSettings(String newName, Permissions newPermissions, Limits newLimits,
            Instant newExpiresAt, Instant now, long newRevision) {
        return new ApiKey(id, newName, kind, ownerType, ownerUser, projectId, status, newPermissions, newLimits,
                newExpiresAt, legacy, createdBy, createdAt, now, newRevision, secrets, usageResetAt);
    }
}
