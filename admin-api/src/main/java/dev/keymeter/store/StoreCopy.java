package dev.keymeter.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@code keymeter store copy}: everything one store holds into another, empty one — SQLite to
 * PostgreSQL when a platform moves to several control planes, or back. Both are opened (and so
 * migrated) to the same schema version first; their tables have the same names and columns.
 *
 * <p>The source is read in one read transaction (one consistent state) and the target written in
 * one write transaction, so the target ends with all of it or none of it. Rows keep their ids and
 * revisions, and the revision counter and change-log floor are carried over, so sidecars keep their
 * cursors' meaning; the target keeps its own store id, so a sidecar that moves to it takes a
 * snapshot anyway (its cursor names the source store). A target that holds anything is refused.
 */
public final class StoreCopy {

    /** Tables in an order that satisfies the foreign keys; the columns come from the source. */
    static final List<String> TABLES = List.of("projects", "members", "keys", "secrets", "audit", "key_changes",
            "key_last_used");
    /** Counters in {@code meta} that travel with the data ({@code store_id} does not). */
    private static final List<String> META = List.of("revision", "changes_floor");
    private static final int BATCH = 500;

    private StoreCopy() {
    }

    /** What was copied: rows per table, and the revision the target now has. */
    public record Result(Map<String, Long> rows, long revision) {
    }

    /**
     * Copies {@code from} into {@code to}, reporting each table as it is done to {@code progress}.
     *
     * @throws IllegalArgumentException when the target is not empty or a store is not one of ours
     */
    public static Result copy(KeyStore from, KeyStore to, Consumer<String> progress) {
        JdbcStore source = jdbc(from, "--from");
        JdbcStore target = jdbc(to, "--to");
        Objects.requireNonNull(progress, "progress");
        return source.readJdbc(in -> target.writeJdbc(out -> {
            requireEmpty(out);
            Map<String, Long> rows = new LinkedHashMap<>();
            for (String table : TABLES) {
                long n = copyTable(in, out, table, target.dialect());
                rows.put(table, n);
                progress.accept(table + ": " + n + " rows");
            }
            for (String name : META) {
                long value = Sql.queryLong(in, "SELECT value FROM meta WHERE name = ?", name);
                Sql.update(out, "UPDATE meta SET value = ? WHERE name = ?", value, name);
            }
            if (target.dialect() == Dialect.POSTGRESQL) {
                // Rows came with their ids: move the identity past them, or the next append collides.
                Sql.queryOne(out, "SELECT setval(pg_get_serial_sequence('audit', 'id'),"
                        + " COALESCE((SELECT MAX(id) FROM audit), 0) + 1, false)", row -> row.getLong(1));
            }
            return new Result(rows, Sql.queryLong(out, "SELECT value FROM meta WHERE name = 'revision'"));
        }, "copy into the target store"), "read the source store");
    }

    private static JdbcStore jdbc(KeyStore store, String which) {
        if (store instanceof JdbcStore jdbc) {
            return jdbc;
        }
        throw new IllegalArgumentException(which + " is not a keymeter SQLite or PostgreSQL store");
    }

    private static void requireEmpty(Connection out) throws SQLException {
        for (String table : TABLES) {
            if (Sql.queryLong(out, "SELECT COUNT(*) FROM " + table) > 0) {
                throw new IllegalArgumentException("the target store is not empty (its " + table
                        + " table has rows); copy into a new, empty store");
            }
        }
        if (Sql.queryLong(out, "SELECT value FROM meta WHERE name = 'revision'") > 0) {
            throw new IllegalArgumentException("the target store is not empty (its revision is above 0);"
                    + " copy into a new, empty store");
        }
    }

    private static long copyTable(Connection in, Connection out, String table, Dialect targetDialect)
            throws SQLException {
        long copied = 0;
        try (Statement select = in.createStatement(); ResultSet rows = select.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData meta = rows.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
            }
            String overriding = targetDialect == Dialect.POSTGRESQL && table.equals("audit") ? " OVERRIDING SYSTEM VALUE" : "";
            String insert = "INSERT INTO " + table + " (" + String.join(", ", columns) + ")" + overriding + " VALUES ("
                    + String.join(", ", columns.stream().map(c -> "?").toList()) + ")";
            try (PreparedStatement write = out.prepareStatement(insert)) {
                int pending = 0;
                while (rows.next()) {
                    for (int i = 1; i <= columns.size(); i++) {
                        Object value = rows.getObject(i);
                        if (value == null) {
                            write.setNull(i, java.sql.Types.NULL); // the target infers the column's type
                        } else {
                            write.setObject(i, value instanceof Integer small ? small.longValue() : value);
                        }
                    }
                    write.addBatch();
                    copied++;
                    if (++pending == BATCH) {
                        write.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    write.executeBatch();
                }
            }
        }
        return copied;
    }
}
