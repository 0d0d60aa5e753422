package dev.keymeter.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** The {@code key_last_used} table: the latest time a sidecar saw each key authenticate. */
final class LastUsedRows {
    private LastUsedRows() {
    }

    /** Keeps the later time per key; a report about a deleted or unknown key changes nothing. */
    static int record(Connection connection, Map<String, Instant> lastUsed) throws SQLException {
        int recorded = 0;
        for (Map.Entry<String, Instant> e : lastUsed.entrySet()) {
            recorded += Sql.update(connection, "INSERT INTO key_last_used (key_id, last_used_at) "
                    + "SELECT id, ? FROM keys WHERE id = ? "
                    + "ON CONFLICT (key_id) DO UPDATE SET last_used_at = CASE WHEN excluded.last_used_at > key_last_used.last_used_at"
                    + " THEN excluded.last_used_at ELSE key_last_used.last_used_at END",
                    e.getValue(), e.getKey());
        }
        return recorded;
    }

    static Map<String, Instant> find(Connection connection, Collection<String> keyIds) throws SQLException {
        Map<String, Instant> found = new HashMap<>();
        for (String id : keyIds) {
            Sql.queryOne(connection, "SELECT last_used_at FROM key_last_used WHERE key_id = ?",
                    row -> Sql.instant(row, "last_used_at"), id).ifPresent(t -> found.put(id, t));
        }
        return found;
    }
}
