package dev.keymeter.store;

import static dev.keymeter.store.TestKeys.insert;
import static dev.keymeter.store.TestKeys.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.ApiKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema versions under Flyway: both dialects carry the same versions, a store is migrated once and
 * kept across opens, a database of a newer version is refused, and a SQLite file from before Flyway
 * (history in {@code schema_version}) is taken over at its version without losing anything.
 */
class MigrationsTest {

    @TempDir
    Path dir;

    @Test
    void bothDialects_haveVersionsOneToLatest() throws Exception {
        for (String dialect : List.of("sqlite", "postgresql")) {
            List<String> files = migrationFiles(dialect);
            assertEquals(Migrations.LATEST, files.size(), dialect + ": " + files);
            for (int v = 1; v <= Migrations.LATEST; v++) {
                String prefix = "V" + v + "__";
                assertTrue(files.stream().anyMatch(f -> f.startsWith(prefix)), dialect + " lacks version " + v);
            }
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

        assertEquals(Migrations.LATEST, appliedFirst.size(), appliedFirst.toString());
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
        int future = Migrations.LATEST + 1;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            Sql.update(c, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success) VALUES (?, ?, 'future', 'SQL', ?, 0, 'test', 0, 1)",
                    100L, Integer.toString(future), "V" + future + "__future.sql");
        }

        StoreException e = assertThrows(StoreException.class, () -> SqliteKeyStore.open(file));

        assertTrue(e.getMessage().contains("schema version " + future), e.getMessage());
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }

    /** A file written by the runner before Flyway, at version 3, opens at the latest version with its data. */
    @Test
    void open_fileFromBeforeFlyway_isBaselinedAtItsVersionAndMigratedOn() throws Exception {
        Path file = dir.resolve("keymeter.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            Sql.execute(c, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL,"
                    + " applied_at INTEGER NOT NULL)");
            for (int v = 1; v <= 3; v++) {
                for (String statement : statements(v)) {
                    Sql.execute(c, statement);
                }
                Sql.update(c, "INSERT INTO schema_version (version, description, applied_at) VALUES (?, 'old', 0)",
                        (long) v);
            }
            Sql.update(c, "INSERT INTO projects (id, display_name, created_at, created_by) VALUES ('p1', 'P1', 0, 'x')");
            Sql.update(c, "UPDATE meta SET value = 7 WHERE name = 'revision'");
        }

        try (SqliteKeyStore store = SqliteKeyStore.open(file)) {
            assertTrue(store.read(r -> r.findProject("p1")).isPresent(), "data kept");
            assertEquals(7, store.read(StoreReader::currentRevision));
            assertTrue(store.read(StoreReader::storeId) > 0, "version 4 applied on top");
        }
        List<String> history = appliedVersions(file);
        assertEquals(List.of("3", "4", "5"), history, "baselined at 3, then 4 and 5 applied");
    }

    /** Versions Flyway recorded, in order. */
    private static List<String> appliedVersions(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            return Sql.query(c, "SELECT version FROM flyway_schema_history WHERE version IS NOT NULL"
                    + " ORDER BY installed_rank", row -> row.getString(1));
        }
    }

    private static List<String> migrationFiles(String dialect) throws IOException, URISyntaxException {
        Path folder = Path.of(Migrations.class.getResource("/db/" + dialect).toURI());
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
        }
    }

    /** The statements of a SQLite migration, as the runner before Flyway split them. */
    private static List<String> statements(int version) throws IOException, URISyntaxException {
        String name = migrationFiles("sqlite").stream().filter(f -> f.startsWith("V" + version + "__")).findFirst()
                .orElseThrow();
        String text;
        try (InputStream in = Migrations.class.getResourceAsStream("/db/sqlite/" + name)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String code = String.join("\n", text.lines().filter(l -> !l.trim().startsWith("--")).toList());
        return Arrays.stream(code.split(";\\s*(\\n|$)")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
