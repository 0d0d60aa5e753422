package dev.keymeter.replication;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Secret;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.SecretDigest;
import dev.keymeter.quota.ResetPeriod;
import java.time.Instant;

/**
 * Stored keys → the {@link KeyRecord}s a sidecar decides with. Every key is sent whatever its
 * status: a sidecar that knows a digest belongs to a revoked or disabled key can say so (401 with
 * the reason) instead of "unknown key". Secrets are digests only, and only those still live at
 * {@code now}: a rotated-out secret whose grace has ended would never authenticate again.
 *
 * <p>The enum mappings repeat the admin API's (its mapper is private to {@code dev.keymeter.admin},
 * which this package must not import); both follow the proto's names and fail to compile when an
 * enum gains a value.
 */
final class KeyRecords {

    private KeyRecords() {
    }

    static KeyRecord of(ApiKey key, Instant now) {
        KeyRecord.Builder b = KeyRecord.newBuilder()
                .setKeyId(key.id())
                .setKind(kind(key.kind()))
                .setOwnerType(owner(key.ownerType()))
                .setOwnerUser(nullToEmpty(key.ownerUser()))
                .setProjectId(nullToEmpty(key.projectId()))
                .setStatus(status(key.status()))
                .setPermissions(permissions(key.permissions()))
                .setLimits(limits(key.limits()))
                .setLegacy(key.legacy())
                .setRevision(key.revision());
        if (key.expiresAt() != null) {
            b.setExpireTime(timestamp(key.expiresAt()));
        }
        for (Secret secret : key.secrets()) {
            if (secret.isLiveAt(now)) {
                b.addSecrets(digest(secret));
            }
        }
        return b.build();
    }

    private static SecretDigest digest(Secret secret) {
        SecretDigest.Builder b = SecretDigest.newBuilder().setSha256(ByteString.copyFrom(secret.sha256()));
        if (secret.expiresAt() != null) {
            b.setExpireTime(timestamp(secret.expiresAt()));
        }
        return b.build();
    }

    private static dev.keymeter.proto.admin.v1.Permissions permissions(Permissions p) {
        var b = dev.keymeter.proto.admin.v1.Permissions.newBuilder().setPreset(preset(p.preset()));
        p.levels().forEach((resource, level) -> b.putResources(resource.wireName(), level(level)));
        return b.build();
    }

    private static dev.keymeter.proto.admin.v1.Limits limits(Limits l) {
        var b = dev.keymeter.proto.admin.v1.Limits.newBuilder().setResetPeriod(resetPeriod(l.resetPeriod()));
        if (l.costLimitMicroUsd() != null) {
            b.setCostLimitMicroUsd(l.costLimitMicroUsd());
        }
        if (l.tokenLimit() != null) {
            b.setTokenLimit(l.tokenLimit());
        }
        if (l.requestsPerMinute() != null) {
            b.setRequestsPerMinute(l.requestsPerMinute());
        }
        return b.build();
    }

    private static dev.keymeter.proto.admin.v1.KeyKind kind(KeyKind k) {
        return switch (k) {
            case ADMIN -> dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_ADMIN;
            case PROJECT -> dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_PROJECT;
        };
    }

    private static dev.keymeter.proto.admin.v1.OwnerType owner(OwnerType o) {
        return switch (o) {
            case USER -> dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_USER;
            case SERVICE_ACCOUNT -> dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_SERVICE_ACCOUNT;
        };
    }

    private static dev.keymeter.proto.admin.v1.KeyStatus status(KeyStatus s) {
        return switch (s) {
            case ACTIVE -> dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_ACTIVE;
            case DISABLED -> dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_DISABLED;
            case REVOKED -> dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_REVOKED;
        };
    }

    private static dev.keymeter.proto.admin.v1.PermissionPreset preset(PermissionPreset p) {
        return switch (p) {
            case ALL -> dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_ALL;
            case READ_ONLY -> dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_READ_ONLY;
            case RESTRICTED -> dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_RESTRICTED;
        };
    }

    private static dev.keymeter.proto.admin.v1.AccessLevel level(AccessLevel l) {
        return switch (l) {
            case NONE -> dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_NONE;
            case READ -> dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_READ;
            case WRITE -> dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_WRITE;
        };
    }

    private static dev.keymeter.proto.admin.v1.ResetPeriod resetPeriod(ResetPeriod p) {
        return switch (p) {
            case NEVER -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_NEVER;
            case DAILY -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_DAILY;
            case WEEKLY -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_WEEKLY;
            case MONTHLY -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_MONTHLY;
        };
    }

    private static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
