package dev.keymeter.store;

import static dev.keymeter.store.TestKeys.T0;
import static dev.keymeter.store.TestKeys.graceSecret;
import static dev.keymeter.store.TestKeys.insert;
import static dev.keymeter.store.TestKeys.key;
import static dev.keymeter.store.TestKeys.secret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.Member;
import dev.keymeter.keys.Project;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keymeter store copy} both ways, SQLite → PostgreSQL and PostgreSQL → SQLite: everything
 * reads back the same (keys with their secrets, projects, members, audit with its ids, the change log,
 * the revision and its floor, last-used times), the target keeps its own store id, writes after the
 * copy continue past the copied ids and revisions, and a target that holds anything is refused.
 */
class StoreCopyTest {

    @TempDir
    Path dir;

    @Test
    void sqliteToPostgresql_copiesEverything() {
        copyAndCompare(StoreKind.SQLITE, StoreKind.POSTGRESQL);
    }

    @Test
    void postgresqlToSqlite_copiesEverything() {
        copyAndCompare(StoreKind.POSTGRESQL, StoreKind.SQLITE);
    }

    private void copyAndCompare(StoreKind fromKind, StoreKind toKind) {
        try (KeyStore from = fromKind.open(dir.resolve("from")); KeyStore to = toKind.open(dir.resolve("to"))) {
            populate(from);
            List<String> progress = new ArrayList<>();

            StoreCopy.Result result = StoreCopy.copy(from, to, progress::add);

            assertEquals(StoreCopy.TABLES.size(), progress.size(), progress.toString());
            assertEquals(from.read(StoreReader::currentRevision), result.revision());
            assertEquals(5L, result.rows().get("keys"));
            same(from, to, StoreReader::allKeys);
            same(from, to, r -> r.listProjects(100, "").items());
            same(from, to, r -> r.listMembers("p1"));
            same(from, to, r -> r.listMembers(null));
            same(from, to, r -> r.listAudit(dev.keymeter.store.AuditFilter.ALL, 100, "").items());
            same(from, to, r -> r.changesAfter(0, 1_000));
            same(from, to, StoreReader::oldestServableRevision);
            List<String> ids = from.read(StoreReader::allKeys).stream().map(ApiKey::id).toList();
            same(from, to, r -> r.lastUsed(ids));
            assertNotEquals(from.read(StoreReader::storeId), to.read(StoreReader::storeId),
                    "the target keeps its own identity: sidecars that move to it take a snapshot");

            long maxAuditId = to.read(r -> r.listAudit(dev.keymeter.store.AuditFilter.ALL, 100, "").items()).stream().mapToLong(AuditEntry::id).max()
                    .orElseThrow();
            long next = to.write(w -> w.appendAudit(new AuditEntry(0, T0, "key_admin", "CreateKey", "key/x", AuditEntry.OK,
                    Map.of(), 0)));
            assertTrue(next > maxAuditId, "audit ids continue after the copied ones: " + next + " vs " + maxAuditId);
            ApiKey after = insert(to, key("key_after_copy"));
            assertEquals(result.revision() + 1, after.revision(), "revisions continue from the copied counter");

            IllegalArgumentException notEmpty = assertThrows(IllegalArgumentException.class,
                    () -> StoreCopy.copy(from, to, line -> { }));
            assertTrue(notEmpty.getMessage().contains("not empty"), notEmpty.getMessage());
        }
    }

    private static <T> void same(KeyStore from, KeyStore to, Function<StoreReader, T> read) {
        T expected = from.read(read);
        T actual = to.read(read);
        assertEquals(expected, actual);
    }

    /** Keys (one deleted, one with two secrets), projects, members, audit, last-used times, a compacted log. */
    private static void populate(KeyStore store) {
        store.write(w -> {
            w.insertProject(new Project("p1", "P1", T0, "key_admin"));
            w.insertProject(new Project("p2", "P2", T0.plusMillis(1), "key_admin"));
            w.addMember(new Member("alice", "p1", T0));
            w.addMember(new Member("bob", null, T0));
            return null;
        });
        insert(store, key("key_a").project("p1").name("a"));
        insert(store, key("key_b").project("p1").name("b").user("alice")
                .secrets(List.of(secret("b-current"), graceSecret("b-old", T0.plusSeconds(3_600)))));
        insert(store, key("key_c").admin().name("c"));
        insert(store, key("key_d").project("p2").name("d"));
        insert(store, key("key_e").project("p2").name("e"));
        insert(store, key("key_gone").project("p2").name("gone"));
        store.write(w -> {
            w.deleteKey("key_gone", w.nextRevision());
            for (int i = 0; i < 3; i++) {
                w.appendAudit(new AuditEntry(0, T0.plusMillis(i), "key_admin", "UpdateKey", "key/key_a", AuditEntry.OK,
                        Map.of("name", "n" + i), i + 1));
            }
            w.recordLastUsed(Map.of("key_a", T0.plusSeconds(5), "key_b", T0.plusSeconds(7)));
            return null;
        });
        store.compactChangesThrough(2);
    }
}
