package dev.keymeter.replica;

import dev.keymeter.chronicle.KeyIdBytes;
import com.google.protobuf.Timestamp;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Resource;
import dev.keymeter.keys.TextBound;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.SecretDigest;
import dev.keymeter.keys.LimitBound;
import dev.keymeter.keys.ResetPeriod;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a replication {@link KeyRecord} and converts it to a {@link KeyUpdate}, before anything
 * is written: a record the replica cannot hold exactly is refused whole, never stored in part.
 *
 * <p>Refused (IllegalArgumentException naming the field, never echoing a digest or owner): a key
 * id that is not 1–24 printable ASCII characters, a project id over 63 ASCII characters, an owner
 * user over 128 characters (the bounds of {@link TextBound}, which the admin API applies
 * too), an unspecified kind, owner type, status or preset, more than two
 * secrets, a digest that is not 32 bytes, or the same digest twice. Lenient where the admin API
 * documents a default: an unspecified reset period is NEVER, an unspecified level is NONE, and a
 * resource name this build does not know grants nothing (Check never asks for it). A limit the
 * counters cannot hold is kept, as the largest they hold ({@link HeldLimits}, which logs it).
 */
final class KeyRecords {

    private KeyRecords() {}

    static KeyUpdate read(KeyRecord record) {
        if (!KeyIdBytes.valid(record.getKeyId())) {
            throw invalid("key_id", "must be 1 to " + KeyIdBytes.MAX_CHARS
                    + " printable ASCII characters (had " + record.getKeyId().length() + ")");
        }
        ReplicaEntry entry = new ReplicaEntry();
        entry.keyId = record.getKeyId();
        entry.kind = kind(record);
        entry.ownerType = ownerType(record);
        entry.ownerUser = ownerUser(record.getOwnerUser());
        entry.projectId = projectId(record.getProjectId());
        entry.status = status(record);
        entry.legacy = record.getLegacy();
        entry.preset = preset(record);
        entry.levelBits = entry.preset == PermissionPreset.RESTRICTED ? levelBits(record) : 0;
        readLimits(record, entry);
        entry.keyExpiresAtMillis = record.hasExpireTime()
                ? millis(record.getExpireTime(), "expire_time") : ReplicaEntry.NEVER;
        entry.secretExpiresAtMillis = ReplicaEntry.NEVER;
        entry.revision = record.getRevision();
        entry.usageEpoch = record.hasUsageResetTime() ? millis(record.getUsageResetTime(), "usage_reset_time") : 0;
        return new KeyUpdate(entry.keyId, entry, secrets(record));
    }

    private static KeyKind kind(KeyRecord record) {
        return switch (record.getKind()) {
            case KEY_KIND_ADMIN -> KeyKind.ADMIN;
            case KEY_KIND_PROJECT -> KeyKind.PROJECT;
            // KEY_KIND_SIDECAR included: the control plane never sends sidecar credentials.
            default -> throw invalid("kind", "must be ADMIN or PROJECT, was " + record.getKind());
        };
    }

    private static OwnerType ownerType(KeyRecord record) {
        return switch (record.getOwnerType()) {
            case OWNER_TYPE_USER -> OwnerType.USER;
            case OWNER_TYPE_SERVICE_ACCOUNT -> OwnerType.SERVICE_ACCOUNT;
            default -> throw invalid("owner_type", "must be USER or SERVICE_ACCOUNT, was " + record.getOwnerType());
        };
    }

    private static KeyStatus status(KeyRecord record) {
        return switch (record.getStatus()) {
            case KEY_STATUS_ACTIVE -> KeyStatus.ACTIVE;
            case KEY_STATUS_DISABLED -> KeyStatus.DISABLED;
            case KEY_STATUS_REVOKED -> KeyStatus.REVOKED;
            default -> throw invalid("status", "must be ACTIVE, DISABLED or REVOKED, was " + record.getStatus());
        };
    }

    private static PermissionPreset preset(KeyRecord record) {
        return switch (record.getPermissions().getPreset()) {
            case PERMISSION_PRESET_ALL -> PermissionPreset.ALL;
            case PERMISSION_PRESET_READ_ONLY -> PermissionPreset.READ_ONLY;
            case PERMISSION_PRESET_RESTRICTED -> PermissionPreset.RESTRICTED;
            default -> throw invalid("permissions.preset",
                    "must be ALL, READ_ONLY or RESTRICTED, was " + record.getPermissions().getPreset());
        };
    }

    private static long levelBits(KeyRecord record) {
        Map<Resource, AccessLevel> levels = new EnumMap<>(Resource.class);
        record.getPermissions().getResourcesMap().forEach((name, level) -> Resource.fromWireName(name)
                .ifPresent(resource -> levels.put(resource, switch (level) {
                    case ACCESS_LEVEL_READ -> AccessLevel.READ;
                    case ACCESS_LEVEL_WRITE -> AccessLevel.WRITE;
                    default -> AccessLevel.NONE;
                })));
        return ReplicaEntry.packLevels(levels);
    }

    private static void readLimits(KeyRecord record, ReplicaEntry entry) {
        var limits = record.getLimits();
        String id = entry.keyId;
        entry.costLimitMicroUsd = limits.hasCostLimitMicroUsd() ? HeldLimits.held(id, "cost_limit_micro_usd",
                limits.getCostLimitMicroUsd(), LimitBound.COST_MICRO_USD) : ReplicaEntry.NO_LIMIT;
        entry.tokenLimit = limits.hasTokenLimit()
                ? HeldLimits.held(id, "token_limit", limits.getTokenLimit(), LimitBound.TOKENS) : ReplicaEntry.NO_LIMIT;
        entry.requestsPerMinute = limits.hasRequestsPerMinute() ? HeldLimits.held(id, "requests_per_minute",
                limits.getRequestsPerMinute(), LimitBound.REQUESTS_PER_MINUTE) : ReplicaEntry.NO_LIMIT;
        entry.resetPeriod = switch (limits.getResetPeriod()) {
            case RESET_PERIOD_DAILY -> ResetPeriod.DAILY;
            case RESET_PERIOD_WEEKLY -> ResetPeriod.WEEKLY;
            case RESET_PERIOD_MONTHLY -> ResetPeriod.MONTHLY;
            default -> ResetPeriod.NEVER;
        };
    }

    /** As the admin API counts: characters (code points), whose UTF-8 the field always holds. */
    private static String ownerUser(String user) {
        boolean fits = TextBound.USER.holds(user)
                && user.getBytes(StandardCharsets.UTF_8).length <= EntryLayout.MAX_OWNER_USER_BYTES;
        if (!fits) {
            throw invalid("owner_user", "must be " + TextBound.USER.rule()
                    + " (had " + TextBound.characters(user) + ")");
        }
        return user.isEmpty() ? null : user;
    }

    private static String projectId(String project) {
        boolean ascii = project.chars().allMatch(c -> c > ' ' && c <= '~');
        if (!ascii || project.length() > EntryLayout.MAX_PROJECT_ID_BYTES) {
            throw invalid("project_id", "must be at most " + EntryLayout.MAX_PROJECT_ID_BYTES
                    + " printable ASCII characters");
        }
        return project.isEmpty() ? null : project;
    }

    private static List<KeyUpdate.Secret> secrets(KeyRecord record) {
        if (record.getSecretsCount() > KeyDigests.MAX_DIGESTS) {
            throw invalid("secrets", "holds at most " + KeyDigests.MAX_DIGESTS + " digests, had "
                    + record.getSecretsCount());
        }
        List<KeyUpdate.Secret> secrets = new ArrayList<>();
        for (SecretDigest secret : record.getSecretsList()) {
            byte[] sha256 = secret.getSha256().toByteArray();
            if (sha256.length != KeyDigests.DIGEST_BYTES) {
                throw invalid("secrets.sha256", "must be 32 bytes, was " + sha256.length);
            }
            if (secrets.stream().anyMatch(s -> Arrays.equals(s.sha256(), sha256))) {
                throw invalid("secrets", "lists the same digest twice");
            }
            long expires = secret.hasExpireTime()
                    ? millis(secret.getExpireTime(), "secrets.expire_time") : ReplicaEntry.NEVER;
            secrets.add(new KeyUpdate.Secret(sha256, expires));
        }
        return secrets;
    }

    /** Epoch millis, truncated: an expiry never moves later than the control plane set it. */
    private static long millis(Timestamp time, String field) {
        try {
            return Math.addExact(Math.multiplyExact(time.getSeconds(), 1000L), time.getNanos() / 1_000_000);
        } catch (ArithmeticException e) {
            throw invalid(field, "is out of range");
        }
    }

    private static IllegalArgumentException invalid(String field, String why) {
        return new IllegalArgumentException("KeyRecord." + field + " " + why);
    }
}
