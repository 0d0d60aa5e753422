package dev.keymeter.lifecycle;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.Permissions;

/** Writes a key's settings into an audit record's changes: names and values, never a secret. */
final class KeyAuditFields {
    private KeyAuditFields() {
    }

    static void describeNew(Mutation m, ApiKey key) {
        m.change("name", key.name()).change("kind", key.kind()).change("owner_type", key.ownerType());
        if (key.ownerUser() != null) {
            m.change("owner_user", key.ownerUser());
        }
        if (key.projectId() != null) {
            m.change("project_id", key.projectId());
        }
        permissions(m, key.permissions());
        limits(m, key.limits());
        if (key.expiresAt() != null) {
            m.change("expire_time", key.expiresAt());
        }
    }

    static void permissions(Mutation m, Permissions p) {
        m.change("permissions.preset", p.preset());
        p.levels().forEach((r, l) -> m.change("permissions.resources." + r.wireName(), l));
    }

    static void limits(Mutation m, Limits l) {
        m.change("limits.cost_limit_micro_usd", l.costLimitMicroUsd() == null ? "none" : l.costLimitMicroUsd());
        m.change("limits.token_limit", l.tokenLimit() == null ? "none" : l.tokenLimit());
        m.change("limits.requests_per_minute", l.requestsPerMinute() == null ? "none" : l.requestsPerMinute());
        m.change("limits.reset_period", l.resetPeriod());
    }
}
