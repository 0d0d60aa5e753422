package dev.keymeter.store;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.Secret;
import dev.keymeter.keys.ResetPeriod;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A SELECT of keys with their secrets in one statement: the conditions, order and limit apply to
 * keys in a subquery, which is then joined to {@code secrets}. One statement per read (not one per
 * key) keeps a snapshot of every key as cheap as a page of them.
 */
final class KeyQuery {

    /** Orders of key listings; {@code id} breaks ties so that keyset pagination is exact. */
    enum Order {
        NEWEST_FIRST("created_at DESC, id DESC", "k.created_at DESC, k.id DESC"),
        BY_ID("id", "k.id");

        private final String inner;
        private final String outer;

        Order(String inner, String outer) {
            this.inner = inner;
            this.outer = outer;
        }
    }

    /** A joined row: the key's columns (secrets not yet attached) and one secret, if any. */
    private record Row(ApiKey key, Secret secret) {
    }

    private final List<String> conditions = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();
    private Order order = Order.NEWEST_FIRST;
    private int limit = -1;

    /** Adds a condition on {@code keys} columns; conditions combine with AND. */
    KeyQuery where(String condition, Object... values) {
        conditions.add(condition);
        params.addAll(List.of(values));
        return this;
    }

    /** Adds {@code column = value} unless {@code value} is {@code null} (a filter that matches everything). */
    KeyQuery whereEquals(String column, Object value) {
        return value == null ? this : where(column + " = ?", value);
    }

    KeyQuery orderBy(Order newOrder) {
        this.order = newOrder;
        return this;
    }

    KeyQuery limit(int maxKeys) {
        this.limit = maxKeys;
        return this;
    }

    List<ApiKey> list(Connection connection) throws SQLException {
        return group(Sql.query(connection, sql(), KeyQuery::row, params.toArray()));
    }

    Optional<ApiKey> one(Connection connection) throws SQLException {
        return list(connection).stream().findFirst();
    }

    private String sql() {
        String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        return "SELECT k.*, s.sha256 AS secret_sha256, s.display_token AS secret_display_token,"
                + " s.expires_at AS secret_expires_at"
                + " FROM (SELECT * FROM keys" + where + " ORDER BY " + order.inner
                + (limit < 0 ? "" : " LIMIT " + limit) + ") AS k"
                + " LEFT JOIN secrets AS s ON s.key_id = k.id"
                // Current secret (no expiry) first, then the caller's order.
                + " ORDER BY " + order.outer + ", s.expires_at IS NOT NULL, s.slot";
    }

    /** Joined rows arrive grouped by key (the order ends with the key id); fold each group into a key. */
    private static List<ApiKey> group(List<Row> rows) {
        List<ApiKey> keys = new ArrayList<>();
        int start = 0;
        while (start < rows.size()) {
            ApiKey key = rows.get(start).key();
            List<Secret> secrets = new ArrayList<>();
            int end = start;
            while (end < rows.size() && rows.get(end).key().id().equals(key.id())) {
                if (rows.get(end).secret() != null) {
                    secrets.add(rows.get(end).secret());
                }
                end++;
            }
            keys.add(key.withSecrets(secrets, key.updatedAt(), key.revision()));
            start = end;
        }
        return keys;
    }

    private static Row row(ResultSet row) throws SQLException {
        byte[] digest = row.getBytes("secret_sha256");
        Secret secret = digest == null ? null : new Secret(digest, row.getString("secret_display_token"),
                Sql.nullableInstant(row, "secret_expires_at"));
        return new Row(key(row), secret);
    }

    private static ApiKey key(ResultSet row) throws SQLException {
        return new ApiKey(row.getString("id"), row.getString("name"),
                KeyKind.valueOf(row.getString("kind")), OwnerType.valueOf(row.getString("owner_type")),
                row.getString("owner_user"), row.getString("project_id"),
                KeyStatus.valueOf(row.getString("status")),
                PermissionsColumns.permissions(row.getString("preset"), row.getString("levels")),
                limits(row), Sql.nullableInstant(row, "expires_at"), row.getInt("legacy") != 0,
                row.getString("created_by"), Sql.instant(row, "created_at"), Sql.instant(row, "updated_at"),
                row.getLong("revision"), List.of(), Sql.nullableInstant(row, "usage_reset_at"));
    }

    private static Limits limits(ResultSet row) throws SQLException {
        return new Limits(Sql.nullableLong(row, "cost_limit_micro_usd"), Sql.nullableLong(row, "token_limit"),
                Sql.nullableLong(row, "requests_per_minute"), ResetPeriod.valueOf(row.getString("reset_period")));
    }
}
