package dev.keymeter.admin;

import com.google.protobuf.Timestamp;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Resource;
import dev.keymeter.keys.TextBound;
import dev.keymeter.keys.UnsafeText;
import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.lifecycle.LimitRules;
import dev.keymeter.keys.LimitBound;
import dev.keymeter.keys.ResetPeriod;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Admin API messages → domain values, checking the form of every field. Each refusal is an
 * INVALID_ARGUMENT that names the field and the rule, e.g. {@code limits.token_limit: must be ≥ 0}.
 */
final class RequestReader {

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 1000;
    private static final Pattern PROJECT_ID =
            Pattern.compile("[a-z][a-z0-9-]{0," + (TextBound.PROJECT_ID.maxChars() - 1) + "}");
    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{1,64}");

    private RequestReader() {
    }

    static String keyId(String field, String value) {
        if (!KEY_ID.matcher(value).matches()) {
            throw AdminFailure.invalid(field, value.isEmpty() ? "required" : "not a key id (key_…)");
        }
        return value;
    }

    static String projectId(String field, String value) {
        if (!PROJECT_ID.matcher(value).matches()) {
            throw AdminFailure.invalid(field, value.isEmpty() ? "required"
                    : "must be 1–" + TextBound.PROJECT_ID.maxChars()
                    + " lower-case letters, digits or '-', starting with a letter");
        }
        return value;
    }

    /** Empty means "none" (organization scope); otherwise a valid project id. */
    static String optionalProjectId(String field, String value) {
        return value.isEmpty() ? null : projectId(field, value);
    }

    static String name(String field, String value) {
        return printable(field, value, TextBound.NAME);
    }

    static String user(String field, String value) {
        String user = printable(field, value, TextBound.USER);
        if (user.chars().anyMatch(Character::isWhitespace)) {
            throw AdminFailure.invalid(field, "must not contain whitespace");
        }
        return user;
    }

    static int pageSize(int value) {
        if (value < 0 || value > MAX_PAGE_SIZE) {
            throw AdminFailure.invalid("page_size", "must be between 0 and " + MAX_PAGE_SIZE + ", was " + value);
        }
        return value == 0 ? DEFAULT_PAGE_SIZE : value;
    }

    static KeyKind kind(String field, dev.keymeter.proto.admin.v1.KeyKind k) {
        return switch (k) {
            case KEY_KIND_ADMIN -> KeyKind.ADMIN;
            case KEY_KIND_PROJECT -> KeyKind.PROJECT;
            case KEY_KIND_SIDECAR -> KeyKind.SIDECAR;
            default -> throw AdminFailure.invalid(field, "required: KEY_KIND_ADMIN, KEY_KIND_PROJECT or KEY_KIND_SIDECAR");
        };
    }

    static OwnerType owner(String field, dev.keymeter.proto.admin.v1.OwnerType o) {
        return switch (o) {
            case OWNER_TYPE_USER -> OwnerType.USER;
            case OWNER_TYPE_SERVICE_ACCOUNT -> OwnerType.SERVICE_ACCOUNT;
            default -> throw AdminFailure.invalid(field, "required: OWNER_TYPE_USER or OWNER_TYPE_SERVICE_ACCOUNT");
        };
    }

    /** A filter value: UNSPECIFIED means "any" ({@code null}). */
    static KeyKind kindFilter(dev.keymeter.proto.admin.v1.KeyKind k) {
        return k == dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_UNSPECIFIED ? null : kind("kind", k);
    }

    static OwnerType ownerFilter(dev.keymeter.proto.admin.v1.OwnerType o) {
        return o == dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_UNSPECIFIED ? null : owner("owner_type", o);
    }

    static KeyStatus statusFilter(dev.keymeter.proto.admin.v1.KeyStatus s) {
        return switch (s) {
            case KEY_STATUS_UNSPECIFIED -> null;
            case KEY_STATUS_ACTIVE -> KeyStatus.ACTIVE;
            case KEY_STATUS_DISABLED -> KeyStatus.DISABLED;
            case KEY_STATUS_REVOKED -> KeyStatus.REVOKED;
            default -> throw AdminFailure.invalid("status", "unknown value " + s);
        };
    }

    static PermissionPreset presetFilter(dev.keymeter.proto.admin.v1.PermissionPreset p) {
        return p == dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_UNSPECIFIED
                ? null : preset("permission_preset", p);
    }

    private static PermissionPreset preset(String field, dev.keymeter.proto.admin.v1.PermissionPreset p) {
        return switch (p) {
            case PERMISSION_PRESET_UNSPECIFIED, PERMISSION_PRESET_ALL -> PermissionPreset.ALL;
            case PERMISSION_PRESET_READ_ONLY -> PermissionPreset.READ_ONLY;
            case PERMISSION_PRESET_RESTRICTED -> PermissionPreset.RESTRICTED;
            default -> throw AdminFailure.invalid(field, "unknown value " + p);
        };
    }

    /** Permissions; an unset message means preset ALL. */
    static Permissions permissions(String field, dev.keymeter.proto.admin.v1.Permissions p) {
        PermissionPreset preset = preset(field + ".preset", p.getPreset());
        if (preset != PermissionPreset.RESTRICTED) {
            if (p.getResourcesCount() > 0) {
                throw AdminFailure.invalid(field + ".resources", "per-resource levels need preset RESTRICTED");
            }
            return preset == PermissionPreset.ALL ? Permissions.ALL : Permissions.READ_ONLY;
        }
        Map<Resource, AccessLevel> levels = new EnumMap<>(Resource.class);
        for (Map.Entry<String, dev.keymeter.proto.admin.v1.AccessLevel> e : p.getResourcesMap().entrySet()) {
            String where = field + ".resources[\"" + e.getKey() + "\"]";
            Resource r = Resource.fromWireName(e.getKey()).orElseThrow(() ->
                    AdminFailure.invalid(where, "unknown resource; the catalog is: " + Resource.catalog()));
            levels.put(r, level(where, e.getValue()));
        }
        return Permissions.restricted(levels);
    }

    private static AccessLevel level(String field, dev.keymeter.proto.admin.v1.AccessLevel l) {
        return switch (l) {
            case ACCESS_LEVEL_NONE -> AccessLevel.NONE;
            case ACCESS_LEVEL_READ -> AccessLevel.READ;
            case ACCESS_LEVEL_WRITE -> AccessLevel.WRITE;
            default -> throw AdminFailure.invalid(field, "must be ACCESS_LEVEL_NONE, _READ or _WRITE");
        };
    }

    static Limits limits(String field, dev.keymeter.proto.admin.v1.Limits l) {
        return new Limits(
                l.hasCostLimitMicroUsd() ? bounded(field + ".cost_limit_micro_usd", l.getCostLimitMicroUsd(),
                        LimitBound.COST_MICRO_USD) : null,
                l.hasTokenLimit() ? bounded(field + ".token_limit", l.getTokenLimit(), LimitBound.TOKENS) : null,
                l.hasRequestsPerMinute() ? bounded(field + ".requests_per_minute", l.getRequestsPerMinute(),
                        LimitBound.REQUESTS_PER_MINUTE) : null,
                resetPeriod(field + ".reset_period", l.getResetPeriod()));
    }

    static ResetPeriod resetPeriod(String field, dev.keymeter.proto.admin.v1.ResetPeriod p) {
        return switch (p) {
            case RESET_PERIOD_UNSPECIFIED, RESET_PERIOD_NEVER -> ResetPeriod.NEVER;
            case RESET_PERIOD_DAILY -> ResetPeriod.DAILY;
            case RESET_PERIOD_WEEKLY -> ResetPeriod.WEEKLY;
            case RESET_PERIOD_MONTHLY -> ResetPeriod.MONTHLY;
            default -> throw AdminFailure.invalid(field, "unknown value " + p);
        };
    }

    static Instant instant(String field, Timestamp t) {
        if (t.getSeconds() < 0 || t.getNanos() < 0 || t.getNanos() > 999_999_999
                || t.getSeconds() > 253_402_300_799L) {
            throw AdminFailure.invalid(field, "not a valid timestamp");
        }
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    /** A limit the sidecars' counters hold (see {@link LimitBound}), else INVALID_ARGUMENT naming the maximum. */
    private static long bounded(String field, long value, LimitBound bound) {
        if (!bound.holds(value)) {
            throw AdminFailure.invalid(field, LimitRules.rule(bound) + ", was " + value);
        }
        return value;
    }

    /**
     * Free text a person reads: required, at most {@code bound} characters as people count them
     * (code points), no refused character ({@link UnsafeText}: controls, bidi, zero-width, line
     * separators, lone surrogates), no leading or trailing whitespace.
     */
    private static String printable(String field, String value, TextBound bound) {
        if (value.isEmpty()) {
            throw AdminFailure.invalid(field, "required");
        }
        int characters = TextBound.characters(value);
        if (characters > bound.maxChars()) {
            throw AdminFailure.invalid(field, bound.rule() + ", was " + characters);
        }
        int at = UnsafeText.firstRefused(value);
        if (at >= 0) {
            int codePoint = value.codePointAt(at);
            String where = " at character " + (value.codePointCount(0, at) + 1);
            throw AdminFailure.invalid(field, Character.getType(codePoint) == Character.SURROGATE
                    ? "must be valid UTF-16: lone surrogate " + UnsafeText.name(codePoint) + where
                    : "must not contain " + UnsafeText.name(codePoint) + " (" + UnsafeText.kind(codePoint) + ")"
                            + where);
        }
        if (!value.strip().equals(value)) {
            throw AdminFailure.invalid(field, "must not start or end with whitespace");
        }
        return value;
    }
}
