package dev.keymeter.store;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.keymeter.audit.AuditEntry;
import dev.keymeter.store.PageToken.Cursor;
import dev.keymeter.store.PageToken.Listing;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The audit log: append-only rows with store-generated ids that are never reused, listed newest first. */
final class AuditRows {

    private static final Gson GSON = new Gson();
    private static final Type CHANGES = new TypeToken<Map<String, String>>() { }.getType();
    private static final String SELECT =
            "SELECT id, time, actor_key_id, action, target, outcome, changes, revision FROM audit";

    private AuditRows() {
    }

    /** Appends the entry (its id is ignored) and returns the id the store gave it. */
    static long append(Connection connection, AuditEntry entry) throws SQLException {
        return Sql.queryLong(connection, "INSERT INTO audit (time, actor_key_id, action, target, outcome, changes,"
                        + " revision) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                entry.time(), entry.actorKeyId(), entry.action(), entry.target(), entry.outcome(),
                GSON.toJson(new TreeMap<>(entry.changes())), entry.revision());
    }

    static final String OTHER_FILTERS = "page_token: issued for other filters (target, actor_key_id, action);"
            + " list again without a page token";

    /** One page, newest first, of the entries {@code filter} matches. */
    static Page<AuditEntry> page(Connection connection, AuditFilter filter, int pageSize, String pageToken)
            throws SQLException {
        PageToken.requirePageSize(pageSize);
        Cursor before = PageToken.decode(Listing.AUDIT, pageToken);
        String fingerprint = filter.fingerprint();
        // Tokens from before filters were bound carry no fingerprint: they were issued for target only.
        if (before != null && !before.id().isEmpty() && !before.id().equals(fingerprint)) {
            throw new InvalidPageException(OTHER_FILTERS);
        }
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        equal(conditions, params, "target", filter.target());
        equal(conditions, params, "actor_key_id", filter.actorKeyId());
        equal(conditions, params, "action", filter.action());
        if (before != null) {
            conditions.add("id < ?");
            params.add(before.position());
        }
        params.add(pageSize + 1);
        String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        List<AuditEntry> rows = Sql.query(connection, SELECT + where + " ORDER BY id DESC LIMIT ?",
                AuditRows::entry, params.toArray());
        return PageToken.page(rows, pageSize, Listing.AUDIT, e -> new Cursor(e.id(), fingerprint));
    }

    private static void equal(List<String> conditions, List<Object> params, String column, String value) {
        if (value != null) {
            conditions.add(column + " = ?");
            params.add(value);
        }
    }

    private static AuditEntry entry(ResultSet row) throws SQLException {
        Map<String, String> changes = GSON.fromJson(row.getString("changes"), CHANGES);
        return new AuditEntry(row.getLong("id"), Sql.instant(row, "time"), row.getString("actor_key_id"),
                row.getString("action"), row.getString("target"), row.getString("outcome"), changes,
                row.getLong("revision"));
    }
}
