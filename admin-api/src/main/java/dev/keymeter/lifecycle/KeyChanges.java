package dev.keymeter.lifecycle;

import dev.keymeter.audit.AuditAction;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Secret;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import dev.keymeter.keys.ResetPeriod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Changes to existing keys: settings, rotation, and the status transitions. */
public final class KeyChanges {

    /** The grace period of a rotated-out secret when the caller names none. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(24);
    /** The longest grace period a rotation may give the secret it replaces. */
    public static final Duration MAX_GRACE = Duration.ofDays(7);

    private final AuditedStore audited;

    public KeyChanges(AuditedStore audited) {
        this.audited = Objects.requireNonNull(audited, "audited");
    }

    /**
     * Applies {@code edit} to the key's settings. {@code fields} names what the edit changes, for the
     * audit record. Revoked keys cannot change; legacy keys accept no limits and no restricted
     * permissions.
     */
    public ApiKey update(Caller caller, String keyId, List<String> fields, UnaryOperator<KeySettings> edit) {
        return audited.mutate(caller.keyId(), AuditAction.UPDATE_KEY, "key/" + keyId, m -> {
            caller.requireAdminWrite();
            ApiKey key = KeyLookup.require(m.tx(), keyId);
            requireNotRevoked(key, "updated");
            KeySettings before = KeySettings.of(key);
            KeySettings after = edit.apply(before);
            requireLegacyRules(key, after);
            if (!after.name().equals(before.name())) {
                KeyLookup.requireNameFree(m.tx(), key.projectId(), after.name());
            }
            if (after.expiresAt() != null && !Objects.equals(after.expiresAt(), before.expiresAt())
                    && !after.expiresAt().isAfter(audited.now())) {
                throw AdminFailure.invalid("key.expire_time", "must be in the future, was " + after.expiresAt());
            }
            ApiKey updated = key.withSettings(after.name(), after.permissions(), after.limits(), after.expiresAt(),
                    audited.now(), m.nextRevision());
            LockoutGuard.requireNotLast(m, key, Optional.of(updated), audited.now(),
                    "changing its permissions or expiry so");
            m.tx().updateKey(updated);
            describeChanges(m, fields, after);
            return updated;
        });
    }

    /**
     * Issues a new secret for the same key id. The replaced secret keeps working for {@code grace};
     * a secret still in its grace period from an earlier rotation stops now, so a key never has more
     * than two live secrets.
     */
    public IssuedKey rotate(Caller caller, String keyId, Duration grace) {
        return audited.mutate(caller.keyId(), AuditAction.ROTATE_KEY, "key/" + keyId, m -> {
            caller.requireAdminWrite();
            if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
                throw AdminFailure.invalid("grace_period", "must be between 0s and " + MAX_GRACE.toDays()
                        + " days, was " + grace);
            }
            ApiKey key = KeyLookup.require(m.tx(), keyId);
            requireNotRevoked(key, "rotated");
            if (key.legacy()) {
                throw AdminFailure.precondition("legacy keys cannot be rotated (their token is not keymeter's); "
                        + "create a new key and retire the legacy one");
            }
            Instant now = audited.now();
            String token = TokenFormat.generate(TokenType.of(key.kind(), key.ownerType()));
            List<Secret> secrets = new ArrayList<>();
            secrets.add(new Secret(TokenFormat.sha256(token), TokenFormat.display(token), null));
            Secret current = key.currentSecret().orElseThrow();
            if (!grace.isZero()) {
                secrets.add(new Secret(current.sha256(), current.displayToken(), now.plus(grace)));
            }
            ApiKey rotated = key.withSecrets(secrets, now, m.nextRevision());
            m.tx().updateKey(rotated);
            m.change("secret", "rotated").change("previous_secret_expire_time", grace.isZero() ? now : now.plus(grace));
            return new IssuedKey(rotated, token);
        });
    }

    public ApiKey disable(Caller caller, String keyId) {
        return transition(caller, keyId, AuditAction.DISABLE_KEY, KeyStatus.DISABLED);
    }

    /** Enables a disabled key. A revoked key stays revoked: FAILED_PRECONDITION. */
    public ApiKey enable(Caller caller, String keyId) {
        return transition(caller, keyId, AuditAction.ENABLE_KEY, KeyStatus.ACTIVE);
    }

    public ApiKey revoke(Caller caller, String keyId) {
        return transition(caller, keyId, AuditAction.REVOKE_KEY, KeyStatus.REVOKED);
    }

    /**
     * Starts the key's usage again from zero: a new usage-reset time, replicated with the key, moves
     * every sidecar to fresh counters for it. Allowed on any key that is not revoked.
     */
    public ApiKey resetUsage(Caller caller, String keyId) {
        return audited.mutate(caller.keyId(), AuditAction.RESET_KEY_USAGE, "key/" + keyId, m -> {
            caller.requireAdminWrite();
            ApiKey key = KeyLookup.require(m.tx(), keyId);
            requireNotRevoked(key, "reset");
            Instant now = audited.now();
            if (key.usageResetAt() != null && !now.isAfter(key.usageResetAt())) {
                now = key.usageResetAt().plusMillis(1); // each reset a new epoch, even within one millisecond
            }
            ApiKey reset = key.withUsageReset(now, m.nextRevision());
            m.tx().updateKey(reset);
            m.change("usage_reset_time", now);
            return reset;
        });
    }

    public void delete(Caller caller, String keyId) {
        audited.mutate(caller.keyId(), AuditAction.DELETE_KEY, "key/" + keyId, m -> {
            caller.requireAdminWrite();
            ApiKey key = KeyLookup.require(m.tx(), keyId);
            LockoutGuard.requireNotLast(m, key, Optional.empty(), audited.now(), "deleting");
            m.tx().deleteKey(key.id(), m.nextRevision());
            m.change("deleted", true);
            return null;
        });
    }

    private ApiKey transition(Caller caller, String keyId, AuditAction action, KeyStatus target) {
        return audited.mutate(caller.keyId(), action, "key/" + keyId, m -> {
            caller.requireAdminWrite();
            ApiKey key = KeyLookup.require(m.tx(), keyId);
            if (key.status() == KeyStatus.REVOKED && target != KeyStatus.REVOKED) {
                throw AdminFailure.precondition("key " + keyId + " is revoked; revocation is permanent");
            }
            if (key.status() == target) {
                return key;
            }
            ApiKey changed = key.withStatus(target, audited.now(), m.nextRevision());
            LockoutGuard.requireNotLast(m, key, Optional.of(changed), audited.now(),
                    target == KeyStatus.REVOKED ? "revoking" : "disabling");
            m.tx().updateKey(changed);
            m.change("status", target);
            return changed;
        });
    }

    /**
     * Revokes {@code key} inside an ongoing mutation (member removal, project deletion), unless it is
     * the last admin key with preset All (then the whole mutation is refused).
     */
    static boolean revokeWithin(Mutation m, ApiKey key, Instant now) {
        if (key.status() == KeyStatus.REVOKED) {
            return false;
        }
        ApiKey revoked = key.withStatus(KeyStatus.REVOKED, now, m.nextRevision());
        LockoutGuard.requireNotLast(m, key, Optional.of(revoked), now, "revoking");
        m.tx().updateKey(revoked);
        return true;
    }

    private static void requireNotRevoked(ApiKey key, String verb) {
        if (key.status() == KeyStatus.REVOKED) {
            throw AdminFailure.precondition("key " + key.id() + " is revoked and cannot be " + verb);
        }
    }

    private static void requireLegacyRules(ApiKey key, KeySettings after) {
        if (!key.legacy()) {
            return;
        }
        if (after.permissions().preset() == PermissionPreset.RESTRICTED) {
            throw AdminFailure.precondition("legacy keys support no restricted permissions; create a new key instead");
        }
        if (!after.limits().isUnlimited() || after.limits().resetPeriod() != ResetPeriod.NEVER) {
            throw AdminFailure.precondition("legacy keys support no limits; create a new key instead");
        }
    }

    private static void describeChanges(Mutation m, List<String> fields, KeySettings after) {
        for (String field : fields) {
            if (field.equals("name")) {
                m.change("name", after.name());
            } else if (field.startsWith("permissions")) {
                KeyAuditFields.permissions(m, after.permissions());
            } else if (field.startsWith("limits")) {
                KeyAuditFields.limits(m, after.limits());
            } else if (field.equals("expire_time")) {
                m.change("expire_time", after.expiresAt() == null ? "never" : after.expiresAt());
            }
        }
    }
}
