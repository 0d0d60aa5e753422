package dev.keymeter.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The revision counter and the change log replication serves. The counter lives in {@code meta}
 * and is bumped inside the caller's write transaction, so a rolled-back transaction allocates
 * nothing and a committed one never hands out a revision twice, across restarts too.
 *
 * <p>The log is complete above its floor: {@link #compactThrough} deletes old rows and raises the
 * floor; a replica that is behind the floor needs a snapshot instead.
 */
final class ChangeLog {

    private ChangeLog() {
    }

    static long nextRevision(Connection connection) throws SQLException {
        Sql.update(connection, "UPDATE meta SET value = value + 1 WHERE name = 'revision'");
        return currentRevision(connection);
    }

    /**
     * Locks the revision row without changing it: a no-op UPDATE takes the same row lock as
     * {@link #nextRevision} (PostgreSQL holds it until the transaction ends).
     */
    static Void lock(Connection connection) throws SQLException {
        Sql.update(connection, "UPDATE meta SET value = value WHERE name = 'revision'");
        return null;
    }

    static long currentRevision(Connection connection) throws SQLException {
        return Sql.queryLong(connection, "SELECT value FROM meta WHERE name = 'revision'");
    }

    static long storeId(Connection connection) throws SQLException {
        return Sql.queryLong(connection, "SELECT value FROM meta WHERE name = 'store_id'");
    }

    static long floor(Connection connection) throws SQLException {
        return Sql.queryLong(connection, "SELECT value FROM meta WHERE name = 'changes_floor'");
    }

    /**
     * Records that {@code keyId} changed at {@code revision}. Writing the same key twice at one
     * revision keeps one row (the later write); another key at a taken revision is a caller bug,
     * because replicas resume after a revision and would miss one of the two changes.
     */
    static void record(Connection connection, long revision, String keyId, boolean deleted) throws SQLException {
        int written = Sql.update(connection, "INSERT INTO key_changes (revision, key_id, deleted) VALUES (?, ?, ?)"
                        + " ON CONFLICT (revision) DO UPDATE SET deleted = excluded.deleted"
                        + " WHERE key_changes.key_id = excluded.key_id",
                revision, keyId, deleted);
        if (written == 0) {
            throw new IllegalArgumentException("revision " + revision + " already recorded a change of another key;"
                    + " take a new revision from nextRevision() for each key written");
        }
    }

    static List<KeyChange> after(Connection connection, long afterRevision, int max) throws SQLException {
        return Sql.query(connection,
                "SELECT revision, key_id, deleted FROM key_changes WHERE revision > ? ORDER BY revision LIMIT ?",
                row -> new KeyChange(row.getLong("revision"), row.getString("key_id"), row.getInt("deleted") != 0),
                afterRevision, max);
    }

    /** Deletes changes at or below {@code revision} and raises the floor to it; returns rows deleted. */
    static int compactThrough(Connection connection, long revision) throws SQLException {
        long current = currentRevision(connection);
        if (revision > current) {
            throw new IllegalArgumentException("cannot compact through revision " + revision
                    + ", beyond the current revision " + current);
        }
        int deleted = Sql.update(connection, "DELETE FROM key_changes WHERE revision <= ?", revision);
        Sql.update(connection, "UPDATE meta SET value = CASE WHEN value > ? THEN value ELSE ? END WHERE name = 'changes_floor'",
                revision, revision);
        return deleted;
    }
}
