package dev.keymeter.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The schema's history, one per dialect, applied by Flyway: {@code db/sqlite/V<n>__*.sql} and
 * {@code db/postgresql/V<n>__*.sql}, the same versions with the same tables in each database's types.
 * A store is brought up to {@link #LATEST} when it opens; one written by a newer keymeter (a version
 * this code does not know) is refused rather than used with a schema it might misread or damage.
 * Flyway's lock (on PostgreSQL) lets control planes that start together migrate once.
 *
 * <p>SQLite files written before Flyway kept their history in {@code schema_version}; such a file is
 * baselined at its version there, so Flyway applies only what is newer, and the old table stays as
 * it was.
 *
 * <p>Migrations are append-only: never edit one that has shipped, add the next version instead.
 */
final class Migrations {

    /** The newest schema version this code knows (the highest V&lt;n&gt; in both folders). */
    static final int LATEST = 5;

    private Migrations() {
    }

    /** Migrates the SQLite file (its own connection, closed afterwards). */
    static void migrateSqlite(Path file) {
        String url = "jdbc:sqlite:" + file;
        int legacy = legacyVersion(url);
        FluentConfiguration config = Flyway.configure().dataSource(url, null, null).locations("classpath:db/sqlite");
        if (legacy > 0) {
            refuseNewer(legacy);
            config.baselineOnMigrate(true).baselineVersion(Integer.toString(legacy))
                    .baselineDescription("schema_version " + legacy + " (before Flyway)");
        }
        migrate(config.load(), "the SQLite store " + file);
    }

    /** Migrates the PostgreSQL database behind {@code pool}. */
    static void migratePostgres(DataSource pool, String where) {
        migrate(Flyway.configure().dataSource(pool).locations("classpath:db/postgresql").load(), where);
    }

    private static void migrate(Flyway flyway, String where) {
        try {
            MigrationInfo current = flyway.info().current();
            if (current != null && current.getVersion() != null) {
                refuseNewer(Integer.parseInt(current.getVersion().getVersion()));
            }
            flyway.migrate();
        } catch (FlywayException e) {
            throw new StoreException("migrate " + where + " failed: " + rootMessage(e), null);
        }
    }

    private static void refuseNewer(int found) {
        if (found > LATEST) {
            throw new StoreException("the database has schema version " + found + " but this keymeter knows"
                    + " versions up to " + LATEST + "; a newer keymeter wrote it, so upgrade to open it", null);
        }
    }

    /** The version in a pre-Flyway {@code schema_version} table, or 0 when there is none (or Flyway took over). */
    private static int legacyVersion(String url) {
        try (Connection c = DriverManager.getConnection(url)) {
            boolean old = Sql.queryLong(c, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") > 0;
            boolean flyway = Sql.queryLong(c,
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'flyway_schema_history'") > 0;
            return old && !flyway ? (int) Sql.queryLong(c, "SELECT COALESCE(MAX(version), 0) FROM schema_version") : 0;
        } catch (SQLException e) {
            throw new StoreException("read the schema version of " + url.substring("jdbc:sqlite:".length()) + " failed", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
