package dev.keymeter.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.TokenFormat;
import dev.keymeter.lifecycle.ControlPlaneRules;
import dev.keymeter.lifecycle.IssuedKey;
import dev.keymeter.store.KeyStore;
import dev.keymeter.store.SqliteKeyStore;
import dev.keymeter.store.StoreReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane's data directory: created 0700 with its files 0600 (the SQLite database, its WAL
 * files, the bootstrap key file), refused when others may write to it; the bootstrap token reaches
 * its file (O_EXCL) before the key commits, and never lands in a file that was already there.
 */
class DataDirectoryTest {

    @TempDir
    Path dir;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void start_onANewDataDirectory_createsItAndEveryFileOwnerOnly() throws Exception {
        Path data = dir.resolve("new").resolve("data");
        try (ControlPlane cp = ControlPlane.start(ControlPlaneConfig.defaults(data).withPort(0))) {
            assertEquals("rwx------", mode(dir.resolve("new")));
            assertEquals("rwx------", mode(data));
            for (String file : new String[] {"keymeter.db", "keymeter.db-wal", "keymeter.db-shm", "bootstrap-admin-key"}) {
                assertTrue(Files.exists(data.resolve(file)), file);
                assertEquals("rw-------", mode(data.resolve(file)), file);
            }
            assertEquals(cp.bootstrapKey().orElseThrow().token() + System.lineSeparator(),
                    Files.readString(data.resolve("bootstrap-admin-key")));
        }
    }

    @Test
    void start_onADataDirectoryWritableByOthers_isRefused_namingItAndTheFix() throws Exception {
        Path data = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxr-x"));
        IOException refused = assertThrows(IOException.class,
                () -> ControlPlane.start(ControlPlaneConfig.defaults(data).withPort(0)));
        assertEquals("the data directory " + data + " is writable by group or others (mode rwxrwxr-x); keymeter"
                + " keeps keys there: run  chmod 700 " + data + "  and start again", refused.getMessage());
        assertFalse(Files.exists(data.resolve("keymeter.db")), "nothing was created in it");
    }

    @Test
    void start_withABootstrapFileAlreadyThere_onAnEmptyStore_isRefused_andCommitsNoKey() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Path file = Files.writeString(data.resolve("bootstrap-admin-key"), "someone else's file\n");
        UncheckedIOException refused = assertThrows(UncheckedIOException.class,
                () -> ControlPlane.start(ControlPlaneConfig.defaults(data).withPort(0)));
        assertTrue(refused.getMessage().contains("the bootstrap key file " + file + " already exists but the store"
                + " has no admin key"), refused.getMessage());
        assertEquals("someone else's file\n", Files.readString(file), "never written into, never removed");
        try (KeyStore store = SqliteKeyStore.open(data.resolve("keymeter.db"))) {
            assertFalse(store.read(StoreReader::anyAdminKey), "the bootstrap rolled back");
        }
    }

    @Test
    void bootstrapToken_isInItsFileBeforeTheKeyCommits_andAFailedCommitRemovesTheFile() throws Exception {
        Path file = dir.resolve("bootstrap-admin-key");
        try (KeyStore store = SqliteKeyStore.open(dir.resolve("keymeter.db"))) {
            ControlPlaneRules rules = new ControlPlaneRules(store, Clock.systemUTC());
            BootstrapKeyFile pending = new BootstrapKeyFile(file);
            RuntimeException commitFailed = new IllegalStateException("commit failed");
            assertThrows(IllegalStateException.class, () -> rules.creation().bootstrapIfEmpty(issued -> {
                pending.write(issued.token());
                assertTrue(Files.exists(file), "written inside the transaction");
                throw commitFailed;
            }));
            pending.removeIfWritten();
            assertFalse(Files.exists(file), "the failed attempt's file is gone");
            assertFalse(store.read(StoreReader::anyAdminKey));

            BootstrapKeyFile second = new BootstrapKeyFile(file);
            Optional<IssuedKey> issued = rules.creation().bootstrapIfEmpty(k -> {
                second.write(k.token());
                // read from another thread, as another reader would: the key is not committed yet
                assertFalse(CompletableFuture.supplyAsync(() -> store.read(StoreReader::anyAdminKey)).join(),
                        "on disk while the key is not yet committed");
            });
            String token = issued.orElseThrow().token();
            assertTrue(TokenFormat.isWellFormed(token));
            assertEquals(token + System.lineSeparator(), Files.readString(file));
            assertTrue(store.read(StoreReader::anyAdminKey));
        }
    }
}
