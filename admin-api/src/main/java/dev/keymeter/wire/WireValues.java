package dev.keymeter.wire;

import com.google.protobuf.Timestamp;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.ResetPeriod;
import java.time.Instant;

/**
 * The one mapping of domain enums, permissions, limits and instants to their wire form. The switches
 * are exhaustive over the domain enums, so a new value fails to compile here until it is mapped.
 */
public final class WireValues {

    private WireValues() {
    }

    public static dev.keymeter.proto.admin.v1.Permissions permissions(Permissions p) {
        var b = dev.keymeter.proto.admin.v1.Permissions.newBuilder().setPreset(preset(p.preset()));
        p.levels().forEach((resource, level) -> b.putResources(resource.wireName(), level(level)));
        return b.build();
    }

    public static dev.keymeter.proto.admin.v1.Limits limits(Limits l) {
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

    public static dev.keymeter.proto.admin.v1.KeyKind kind(KeyKind k) {
        return switch (k) {
            case ADMIN -> dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_ADMIN;
            case PROJECT -> dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_PROJECT;
            case SIDECAR -> dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_SIDECAR;
        };
    }

    public static dev.keymeter.proto.admin.v1.OwnerType owner(OwnerType o) {
        return switch (o) {
            case USER -> dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_USER;
            case SERVICE_ACCOUNT -> dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_SERVICE_ACCOUNT;
        };
    }

    public static dev.keymeter.proto.admin.v1.KeyStatus status(KeyStatus s) {
        return switch (s) {
            case ACTIVE -> dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_ACTIVE;
            case DISABLED -> dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_DISABLED;
            case REVOKED -> dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_REVOKED;
        };
    }

    public static dev.keymeter.proto.admin.v1.PermissionPreset preset(PermissionPreset p) {
        return switch (p) {
            case ALL -> dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_ALL;
            case READ_ONLY -> dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_READ_ONLY;
            case RESTRICTED -> dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_RESTRICTED;
        };
    }

    public static dev.keymeter.proto.admin.v1.AccessLevel level(AccessLevel l) {
        return switch (l) {
            case NONE -> dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_NONE;
            case READ -> dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_READ;
            case WRITE -> dev.keymeter.proto.admin.v1.AccessLevel.ACCESS_LEVEL_WRITE;
        };
    }

    public static dev.keymeter.proto.admin.v1.ResetPeriod resetPeriod(ResetPeriod p) {
        return switch (p) {
            case NEVER -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_NEVER;
            case DAILY -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_DAILY;
            case WEEKLY -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_WEEKLY;
            case MONTHLY -> dev.keymeter.proto.admin.v1.ResetPeriod.RESET_PERIOD_MONTHLY;
        };
    }

    public static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    /** The wire's empty string for an absent value. */
    public static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
