package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.lifecycle.Caller;
import dev.keymeter.store.PostgresServer;
import dev.keymeter.store.StoreSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code keymeter admin recover}: mints an admin key with preset All into the store of a running
 * control plane (SQLite in the data directory, or PostgreSQL), prints it once and audits it; refuses a
 * missing or unsafe data directory and never creates an empty store.
 */
class AdminRecoveryCommandTest {

    private static final Pattern TOKEN = Pattern.compile("kma_[0-9A-Za-z]{36}");

    @TempDir
    Path dir;

    @Test
    void recover_onTheDataDirectoryOfARunningControlPlane_mintsAnAllAdminKeyThatAuthenticates() throws Exception {
        Path data = dir.resolve("cp");
        try (ControlPlane cp = ControlPlane.start(ControlPlaneConfig.defaults(data).withPort(0))) {
            Run run = run("admin", "recover", "--data-dir", data.toString());
            assertEquals(0, run.exit(), run.toString());
            Matcher m = TOKEN.matcher(run.out());
            assertTrue(m.find(), run.out());
            String token = m.group();
            assertEquals(1, run.out().split(Pattern.quote(token), -1).length - 1, "printed once: " + run.out());
            Caller caller = cp.rules().authenticator().authenticate(token);
            assertEquals(PermissionPreset.ALL, caller.preset());
            assertTrue(caller.isAdmin());
            var audit = cp.store().read(r -> r.listAudit("key/" + caller.keyId(), 10, "")).items();
            assertEquals(1, audit.size());
            assertEquals("RecoverAdminKey", audit.get(0).action());
            assertEquals("recovery", audit.get(0).actorKeyId());
            assertEquals("OK", audit.get(0).outcome());
        }
    }

    @Test
    void recover_onAPostgresqlStore_mintsTheKeyThere() throws Exception {
        String jdbc = PostgresServer.shared().createDatabase();
        String database = jdbc.substring(jdbc.lastIndexOf('/') + 1, jdbc.indexOf('?'));
        String store = "postgresql://" + PostgresServer.USER + "@127.0.0.1:" + PostgresServer.shared().port() + "/" + database;
        Path data = dir.resolve("cp");
        try (ControlPlane cp = ControlPlane.start(ControlPlaneConfig.defaults(data).withPort(0)
                .withStore(StoreSpec.parse(store, null)))) {
            Run run = run("admin", "recover", "--data-dir", data.toString(), "--store", store);
            assertEquals(0, run.exit(), run.toString());
            Matcher m = TOKEN.matcher(run.out());
            assertTrue(m.find(), run.out());
            assertEquals(PermissionPreset.ALL, cp.rules().authenticator().authenticate(m.group()).preset());
        }
    }

    @Test
    void recover_withoutADataDirectory_orWithoutAStore_orOnAnUnsafeOne_isRefused_andCreatesNothing() throws Exception {
        Run missing = run("admin", "recover", "--data-dir", dir.resolve("absent").toString());
        assertEquals(1, missing.exit(), missing.toString());
        assertEquals("error: admin recover: no data directory at " + dir.resolve("absent")
                + " (--data-dir): recovery needs the control plane's data directory\n", missing.err());

        Path empty = Files.createDirectory(dir.resolve("empty"));
        Run noStore = run("admin", "recover", "--data-dir", empty.toString());
        assertEquals(1, noStore.exit(), noStore.toString());
        assertTrue(noStore.err().startsWith("error: admin recover: no store at " + empty.resolve("keymeter.db")),
                noStore.err());
        assertFalse(Files.exists(empty.resolve("keymeter.db")), "no empty store created");

        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rwxrwxrwx"));
        Run unsafe = run("admin", "recover", "--data-dir", empty.toString());
        assertEquals(1, unsafe.exit(), unsafe.toString());
        assertTrue(unsafe.err().contains("run  chmod 700 " + empty), unsafe.err());
        assertFalse(unsafe.out().contains("kma_"), unsafe.out());
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
