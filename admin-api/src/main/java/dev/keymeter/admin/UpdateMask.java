package dev.keymeter.admin;

import com.google.protobuf.FieldMask;
import dev.keymeter.keys.Limits;
import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.lifecycle.KeySettings;
import dev.keymeter.proto.admin.v1.Key;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An UpdateKey field mask, checked: only the editable fields, never the immutable ones (kind, owner
 * type, owner user, project), each new value valid. {@link #apply} turns it into the new settings.
 */
final class UpdateMask {

    private static final Set<String> IMMUTABLE = Set.of("kind", "owner_type", "owner_user", "project_id", "id");
    private static final Set<String> EDITABLE = Set.of("name", "permissions", "expire_time", "limits",
            "limits.cost_limit_micro_usd", "limits.token_limit", "limits.requests_per_minute", "limits.reset_period");

    private final Set<String> paths;
    private final Key values;

    private UpdateMask(Set<String> paths, Key values) {
        this.paths = paths;
        this.values = values;
    }

    static UpdateMask read(FieldMask mask, Key values) {
        if (mask.getPathsCount() == 0) {
            throw AdminFailure.invalid("update_mask", "name at least one field to change ("
                    + String.join(", ", EDITABLE) + ")");
        }
        Set<String> paths = new LinkedHashSet<>();
        for (String path : mask.getPathsList()) {
            if (IMMUTABLE.contains(path)) {
                throw AdminFailure.invalid("update_mask", path + " is immutable after creation");
            }
            if (!EDITABLE.contains(path)) {
                throw AdminFailure.invalid("update_mask", "unknown or read-only field '" + path + "'");
            }
            paths.add(path);
        }
        UpdateMask m = new UpdateMask(paths, values);
        m.apply(new KeySettings("placeholder", dev.keymeter.keys.Permissions.ALL, Limits.NONE, null));
        return m;
    }

    List<String> fields() {
        return new ArrayList<>(paths);
    }

    /** The settings after this update; validates each new value (INVALID_ARGUMENT names the field). */
    KeySettings apply(KeySettings s) {
        KeySettings out = s;
        if (paths.contains("name")) {
            out = out.withName(RequestReader.name("key.name", values.getName()));
        }
        if (paths.contains("permissions")) {
            out = out.withPermissions(RequestReader.permissions("key.permissions", values.getPermissions()));
        }
        if (paths.contains("expire_time")) {
            out = out.withExpiresAt(values.hasExpireTime()
                    ? RequestReader.instant("key.expire_time", values.getExpireTime()) : null);
        }
        return out.withLimits(limits(out.limits()));
    }

    private Limits limits(Limits old) {
        Limits given = RequestReader.limits("key.limits", values.getLimits());
        if (paths.contains("limits")) {
            return given;
        }
        return new Limits(
                paths.contains("limits.cost_limit_micro_usd") ? given.costLimitMicroUsd() : old.costLimitMicroUsd(),
                paths.contains("limits.token_limit") ? given.tokenLimit() : old.tokenLimit(),
                paths.contains("limits.requests_per_minute") ? given.requestsPerMinute() : old.requestsPerMinute(),
                paths.contains("limits.reset_period") ? given.resetPeriod() : old.resetPeriod());
    }
}
