package dev.keymeter.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The schema's history: an ordered list of migrations, each a SQL file under {@code db/} applied in
 * one transaction together with its row in {@code schema_version}. A database is brought up to the
 * latest version at open; one written by a newer keymeter (a version this code does not know) is
 * refused rather than used with a schema it might misread or damage.
 *
 * <p>Migrations are append-only: never edit one that has shipped, add the next version instead.
 */
final class Migrations {

    /** One step of the schema: {@code resource} holds its SQL statements. */
    record Migration(int version, String description, String resource) {
    }

    static final List<Migration> ALL = List.of(
            new Migration(1, "initial schema", "/db/V1__initial_schema.sql"),
            new Migration(2, "key last-used times", "/db/V2__key_last_used.sql"),
            new Migration(3, "key usage resets", "/db/V3__key_usage_reset.sql"),
            new Migration(4, "store identity", "/db/V4__store_identity.sql"));

    private Migrations() {
    }

    static int latestVersion() {
        return ALL.get(ALL.size() - 1).version();
    }

    /** Applies every migration newer than the database's version. The caller holds the connection. */
    static void migrate(Connection connection) {
        int found;
        try {
            Sql.execute(connection, "CREATE TABLE IF NOT EXISTS schema_version ("
                    + "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)");
            found = versionOf(connection);
        } catch (SQLException e) {
            throw new StoreException("read the schema version failed", e);
        }
        if (found > latestVersion()) {
            throw new StoreException("the database has schema version " + found + " but this keymeter knows"
                    + " versions up to " + latestVersion() + "; a newer keymeter wrote it, so upgrade to open it", null);
        }
        for (Migration migration : ALL) {
            if (migration.version() > found) {
                apply(connection, migration);
            }
        }
    }

    /** The highest applied version; 0 for a new database. */
    static int versionOf(Connection connection) throws SQLException {
        return (int) Sql.queryLong(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    }

    private static void apply(Connection connection, Migration migration) {
        List<String> statements = statements(migration);
        Transactions.write(connection, "migrate the schema to version " + migration.version(), () -> {
            // Re-read under the write lock: another process may have migrated since we looked.
            if (versionOf(connection) >= migration.version()) {
                return null;
            }
            for (String statement : statements) {
                Sql.execute(connection, statement);
            }
            Sql.update(connection, "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                    migration.version(), migration.description(), Instant.now());
            return null;
        });
    }

    /** The statements of a migration file: whole-line comments dropped, split at a ';' ending a line. */
    static List<String> statements(Migration migration) {
        String text;
        try (InputStream in = Migrations.class.getResourceAsStream(migration.resource())) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + migration.resource());
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreException("read migration " + migration.resource() + " failed", e);
        }
        String code = text.lines()
                .filter(line -> !line.trim().startsWith("--"))
                .collect(Collectors.joining("\n"));
        return Arrays.stream(code.split(";\\s*(\\n|$)"))
                .map(String::trim)
                .filter(statement -> !statement.isEmpty())
                .toList();
    }
}
