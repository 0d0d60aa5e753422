package dev.keymeter.store;

import static dev.keymeter.store.TestKeys.insert;
import static dev.keymeter.store.TestKeys.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.ApiKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema versions: applied once, kept across opens, and a newer database refused. */
class MigrationsTest {

    @TempDir
    Path dir;

    @Test
    void all_versions_startAtOneAndIncreaseByOne() {
        for (int i = 0; i < Migrations.ALL.size(); i++) {
            assertEquals(i + 1, Migrations.ALL.get(i).version());
            assertFalse(Migrations.statements(Migrations.ALL.get(i)).isEmpty());
        }
    }

    @Test
    void open_reopened_keepsDataAndDoesNotRerunMigrations() throws SQLException {
        Path file = dir.resolve("keymeter.db");
        ApiKey written;
        try (SqliteKeyStore store = SqliteKeyStore.open(file)) {
            written = insert(store, key("key_kept"));
        }
        List<String> appliedFirst = appliedVersions(file);

        try (SqliteKeyStore store = SqliteKeyStore.open(file)) {
            assertEquals(Optional.of(written), store.read(r -> r.findKey("key_kept")));
            assertEquals(1, store.read(StoreReader::currentRevision));
        }

        assertEquals(Migrations.latestVersion(), appliedFirst.size());
        assertEquals(appliedFirst, appliedVersions(file));
    }

    @Test
    void open_newFile_usesWriteAheadLog() throws SQLException {
        Path file = dir.resolve("keymeter.db");
        SqliteKeyStore.open(file).close();

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertEquals("wal", Sql.queryOne(c, "PRAGMA journal_mode", row -> row.getString(1)).orElseThrow());
        }
    }

    @Test
    void open_databaseOfNewerVersion_isRefused() throws SQLException {
        Path file = dir.resolve("keymeter.db");
        SqliteKeyStore.open(file).close();
        int future = Migrations.latestVersion() + 1;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            Sql.update(c, "INSERT INTO schema_version (version, description, applied_at) VALUES (?, 'future', 0)",
                    future);
        }

        StoreException e = assertThrows(StoreException.class, () -> SqliteKeyStore.open(file));

        assertTrue(e.getMessage().contains("schema version " + future), e.getMessage());
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }

    /** Each applied version with its time of application, read around the store. */
    private static List<String> appliedVersions(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            return Sql.query(c, "SELECT version, applied_at FROM schema_version ORDER BY version",
                    row -> row.getInt(1) + "@" + row.getLong(2));
        }
    }
}
