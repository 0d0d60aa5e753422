package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.store.PostgresServer;
import dev.keymeter.store.StoreReader;
import dev.keymeter.store.StoreSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code keymeter store copy}: a control plane's SQLite store copied into a new PostgreSQL database,
 * which a control plane then opens with the same keys and revision; a second copy into the same
 * database is refused (exit 1, target unchanged), and a bad store is a usage error naming the flag.
 */
class StoreCommandTest {

    @TempDir
    Path dir;

    @Test
    void copy_sqliteIntoEmptyPostgresql_thenRefusesTheSameTargetAgain() throws Exception {
        long keys;
        long revision;
        try (ControlPlane cp = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0))) {
            keys = cp.store().read(StoreReader::keyCount);
            revision = cp.store().read(StoreReader::currentRevision);
        }
        PostgresServer pg = PostgresServer.shared();
        String jdbc = pg.createDatabase();
        String database = jdbc.substring(jdbc.lastIndexOf('/') + 1, jdbc.indexOf('?'));
        String to = "postgresql://" + PostgresServer.USER + "@127.0.0.1:" + pg.port() + "/" + database;
        String from = "sqlite:" + dir.resolve("cp").resolve("keymeter.db");

        Run first = run("store", "copy", "--from", from, "--to", to);

        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.out().contains("copied ") && first.out().contains("at revision " + revision), first.out());
        try (ControlPlane onPostgres = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp2")).withPort(0)
                .withStore(StoreSpec.parse(to, null)))) {
            assertEquals(keys, onPostgres.store().read(StoreReader::keyCount));
            assertEquals(revision, onPostgres.store().read(StoreReader::currentRevision));
            assertTrue(onPostgres.bootstrapKey().isEmpty(), "the copied admin key is there: no new bootstrap");
        }

        Run again = run("store", "copy", "--from", from, "--to", to);
        assertEquals(1, again.exit(), again.toString());
        assertTrue(again.err().contains("not empty") && again.err().contains("target is unchanged"), again.err());

        Run bad = run("store", "copy", "--from", from, "--to", "mysql://root:hunter2@db/keys");
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("--to"), bad.err());
        assertFalse(bad.err().contains("hunter2"), "never echo a password: " + bad.err());
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
