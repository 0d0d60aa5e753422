package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.AccessLevel;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The words tables show for the wire's enums, as the product documentation writes them
 * ("Service", "Read only"). A value this client does not know yet (a newer server) shows as its
 * wire name rather than failing.
 */
final class Labels {

    private Labels() {
    }

    static String kind(KeyKind kind) {
        return switch (kind) {
            case KEY_KIND_ADMIN -> "Admin";
            case KEY_KIND_PROJECT -> "Project";
            case KEY_KIND_SIDECAR -> "Sidecar";
            default -> kind.name();
        };
    }

    /** The "Type" column: who owns the key. */
    static String owner(OwnerType owner) {
        return switch (owner) {
            case OWNER_TYPE_USER -> "User";
            case OWNER_TYPE_SERVICE_ACCOUNT -> "Service";
            default -> owner.name();
        };
    }

    static String status(KeyStatus status) {
        return switch (status) {
            case KEY_STATUS_ACTIVE -> "Active";
            case KEY_STATUS_DISABLED -> "Disabled";
            case KEY_STATUS_REVOKED -> "Revoked";
            default -> status.name();
        };
    }

    static String preset(PermissionPreset preset) {
        return switch (preset) {
            case PERMISSION_PRESET_ALL -> "All";
            case PERMISSION_PRESET_READ_ONLY -> "Read only";
            case PERMISSION_PRESET_RESTRICTED -> "Restricted";
            default -> preset.name();
        };
    }

    static String reset(ResetPeriod reset) {
        return switch (reset) {
            case RESET_PERIOD_UNSPECIFIED, RESET_PERIOD_NEVER -> "Never";
            case RESET_PERIOD_DAILY -> "Daily";
            case RESET_PERIOD_WEEKLY -> "Weekly";
            case RESET_PERIOD_MONTHLY -> "Monthly";
            default -> reset.name();
        };
    }

    /** "Restricted: chat_completions=write, datasets=read", resources sorted by name. */
    static String permissions(Permissions permissions) {
        String preset = preset(permissions.getPreset());
        if (permissions.getResourcesMap().isEmpty()) {
            return preset;
        }
        Map<String, AccessLevel> sorted = new TreeMap<>(permissions.getResourcesMap());
        return preset + ": " + sorted.entrySet().stream()
                .map(e -> e.getKey() + "=" + access(e.getValue()))
                .collect(Collectors.joining(", "));
    }

    static String access(AccessLevel level) {
        return switch (level) {
            case ACCESS_LEVEL_NONE -> "none";
            case ACCESS_LEVEL_READ -> "read";
            case ACCESS_LEVEL_WRITE -> "write";
            default -> level.name();
        };
    }
}
