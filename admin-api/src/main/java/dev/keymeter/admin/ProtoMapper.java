package dev.keymeter.admin;

import com.google.protobuf.Timestamp;
import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Project;
import dev.keymeter.lifecycle.KeyQueries;
import dev.keymeter.proto.admin.v1.AuditRecord;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.KeyUsage;
import dev.keymeter.proto.admin.v1.Member;
import dev.keymeter.proto.admin.v1.UsageLine;
import dev.keymeter.quota.ResetPeriod;
import java.time.Instant;

/** Domain values → admin API messages. Never emits a secret: only display tokens. */
final class ProtoMapper {
    private ProtoMapper() {
    }

    /** The key as the API shows it; {@code lastUsed} is null when no sidecar has reported it. */
    static Key key(ApiKey k, Instant now, Instant lastUsed) {
        Key key = key(k, now);
        return lastUsed == null ? key : key.toBuilder().setLastUsedTime(timestamp(lastUsed)).build();
    }

    static Key key(ApiKey k, Instant now) {
        Key.Builder b = Key.newBuilder()
                .setId(k.id())
                .setName(k.name())
                .setKind(kind(k.kind()))
                .setOwnerType(owner(k.ownerType()))
                .setOwnerUser(nullToEmpty(k.ownerUser()))
                .setProjectId(nullToEmpty(k.projectId()))
                .setStatus(status(k.status()))
                .setPermissions(permissions(k.permissions()))
                .setLimits(limits(k.limits()))
                .setLegacy(k.legacy())
                .setCreateTime(timestamp(k.createdAt()))
                .setUpdateTime(timestamp(k.updatedAt()))
                .setCreatedBy(k.createdBy())
                .setRevision(k.revision());
        k.currentSecret().ifPresent(s -> b.setDisplayToken(s.displayToken()));
        k.previousSecret(now).ifPresent(s -> b.setPreviousDisplayToken(s.displayToken())
                .setPreviousSecretExpireTime(timestamp(s.expiresAt())));
        if (k.expiresAt() != null) {
            b.setExpireTime(timestamp(k.expiresAt()));
        }
        return b.build();
    }

    static dev.keymeter.proto.admin.v1.Project project(Project p) {
        return dev.keymeter.proto.admin.v1.Project.newBuilder()
                .setId(p.id())
                .setDisplayName(p.displayName())
                .setCreateTime(timestamp(p.createdAt()))
                .setCreatedBy(p.createdBy())
                .build();
    }

    static Member member(dev.keymeter.keys.Member m) {
        return Member.newBuilder()
                .setUser(m.user())
                .setProjectId(nullToEmpty(m.projectId()))
                .setCreateTime(timestamp(m.createdAt()))
                .build();
    }

    static AuditRecord audit(AuditEntry e) {
        return AuditRecord.newBuilder()
                .setId(e.id())
                .setTime(timestamp(e.time()))
                .setActorKeyId(e.actorKeyId())
                .setAction(e.action())
                .setTarget(e.target())
                .setOutcome(e.outcome())
                .putAllChanges(e.changes())
                .setRevision(e.revision())
                .build();
    }

    static KeyUsage usage(KeyQueries.Usage u) {
        Limits l = u.key().limits();
        KeyUsage.Builder b = KeyUsage.newBuilder()
                .setKeyId(u.key().id())
                .setCostMicroUsd(line(u.costMicroUsd(), l.costLimitMicroUsd()))
                .setTokens(line(u.tokens(), l.tokenLimit()))
                .setRequestsPerMinute(line(u.requestsLastMinute(), l.requestsPerMinute()))
                .setResetPeriod(resetPeriod(l.resetPeriod()))
                .setReservationsInFlight(u.reservationsInFlight());
        u.period().ifPresent(p -> b.setPeriodStartTime(timestamp(p.start())).setPeriodEndTime(timestamp(p.end())));
        return b.build();
    }

    private static UsageLine line(long used, Long limit) {
        UsageLine.Builder b = UsageLine.newBuilder().setUsed(used);
        if (limit != null) {
            b.setLimit(limit).setRemaining(Math.max(0, limit - used));
        }
        return b.build();
    }

    static dev.keymeter.proto.admin.v1.Permissions permissions(Permissions p) {
        dev.keymeter.proto.admin.v1.Permissions.Builder b = dev.keymeter.proto.admin.v1.Permissions.newBuilder()
                .setPreset(preset(p.preset()));
        p.levels().forEach((r, l) -> b.putResources(r.wireName(), level(l)));
        return b.build();
    }

    static dev.keymeter.proto.admin.v1.Limits limits(Limits l) {
        dev.keymeter.proto.admin.v1.Limits.Builder b = dev.keymeter.proto.admin.v1.Limits.newBuilder()
                .setResetPeriod(resetPeriod(l.resetPeriod()));
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

    static dev.keymeter.proto.admin.v1.KeyKind kind(KeyKind k) {
        return k == KeyKind.ADMIN ? dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_ADMIN
                : dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_PROJECT;
    }

    static dev.keymeter.proto.admin.v1.OwnerType owner(OwnerType o) {
        return o == OwnerType.USER ? dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_USER
                : dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_SERVICE_ACCOUNT;
    }

    static dev.keymeter.proto.admin.v1.KeyStatus status(KeyStatus s) {
        return switch (s) {
            case ACTIVE -> dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_ACTIVE;
            case DISABLED -> dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_DISABLED;
            case REVOKED -> dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_REVOKED;
        };
    }

    static dev.keymeter.proto.admin.v1.PermissionPreset preset(PermissionPreset p) {
        return switch (p) {
            case ALL -> dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_ALL;
            case READ_ONLY -> dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_READ_ONLY;
            case RESTRICTED -> dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_RESTRICTED;
        };
    }

    static dev.keymeter.proto.admin.v1.AccessLevel level(AccessLevel l) {
        return switch (l) {
            case NONE -> dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_NONE;
            case READ -> dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_READ;
            case WRITE -> dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_WRITE;
        };
    }

    static dev.keymeter.proto.admin.v1.ResetPeriod resetPeriod(ResetPeriod p) {
        return switch (p) {
            case NEVER -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_NEVER;
            case DAILY -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_DAILY;
            case WEEKLY -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_WEEKLY;
            case MONTHLY -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_MONTHLY;
        };
    }

    static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
