package dev.keymeter.store;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.Secret;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Writes a key as one row of {@code keys} plus one row of {@code secrets} per secret. The change
 * log is the caller's business ({@link ChangeLog}); this class only maps fields to columns.
 */
final class KeyRows {

    private static final String COLUMNS = "name, kind, owner_type, owner_user, project_id, status, preset, levels,"
            + " cost_limit_micro_usd, token_limit, requests_per_minute, reset_period, expires_at, legacy,"
            + " created_by, created_at, updated_at, revision, usage_reset_at";

    private static final String INSERT = "INSERT INTO keys (" + COLUMNS + ", id)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String UPDATE = "UPDATE keys SET (" + COLUMNS + ")"
            + " = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?";

    private KeyRows() {
    }

    static void insert(Connection connection, ApiKey key) throws SQLException {
        Sql.update(connection, INSERT, values(key));
        insertSecrets(connection, key);
    }

    /** Replaces the key's row and all its secrets; the key must exist. */
    static void update(Connection connection, ApiKey key) throws SQLException {
        if (Sql.update(connection, UPDATE, values(key)) == 0) {
            throw new NoSuchElementException("update key: no key with id " + key.id());
        }
        Sql.update(connection, "DELETE FROM secrets WHERE key_id = ?", key.id());
        insertSecrets(connection, key);
    }

    /** Deletes the key (its secrets go with it, by cascade); true when there was one. */
    static boolean delete(Connection connection, String keyId) throws SQLException {
        return Sql.update(connection, "DELETE FROM keys WHERE id = ?", keyId) > 0;
    }

    /** The bind values in {@link #COLUMNS} order, then the id. */
    private static Object[] values(ApiKey key) {
        return new Object[] {
            key.name(), key.kind(), key.ownerType(), key.ownerUser(), key.projectId(), key.status(),
            key.permissions().preset(), PermissionsColumns.levelsJson(key.permissions()),
            key.limits().costLimitMicroUsd(), key.limits().tokenLimit(), key.limits().requestsPerMinute(),
            key.limits().resetPeriod(), key.expiresAt(), key.legacy(),
            key.createdBy(), key.createdAt(), key.updatedAt(), key.revision(), key.usageResetAt(), key.id(),
        };
    }

    private static void insertSecrets(Connection connection, ApiKey key) throws SQLException {
        List<Secret> secrets = key.secrets();
        for (int slot = 0; slot < secrets.size(); slot++) {
            Secret secret = secrets.get(slot);
            Sql.update(connection,
                    "INSERT INTO secrets (sha256, key_id, slot, display_token, expires_at) VALUES (?, ?, ?, ?, ?)",
                    secret.sha256(), key.id(), slot, secret.displayToken(), secret.expiresAt());
        }
    }
}
