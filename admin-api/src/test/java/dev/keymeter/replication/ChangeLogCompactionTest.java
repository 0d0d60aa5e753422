package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Secret;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.store.SqliteKeyStore;
import dev.keymeter.store.StoreReader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change log stays bounded: old changes go once enough revisions have passed. */
class ChangeLogCompactionTest {

    @TempDir
    Path dir;

    @Test
    void committed_everyNRevisions_compactsAllButTheNewestRetained() {
        try (SqliteKeyStore store = SqliteKeyStore.open(dir.resolve("keymeter.db"))) {
            RevisionNotifier notifier = new RevisionNotifier(0);
            ChangeLogCompaction compaction = new ChangeLogCompaction(store, notifier, 5, 10);
            for (int i = 0; i < 9; i++) {
                notifier.committed(insert(store, i));
            }
            assertEquals(0, store.read(StoreReader::oldestServableRevision), "9 revisions: not yet");

            notifier.committed(insert(store, 9));
            compaction.close(); // waits for the queued compaction

            assertEquals(5, store.read(StoreReader::oldestServableRevision));
            assertEquals(5, store.read(r -> r.changesAfter(0, 100)).size());
        }
    }

    @Test
    void compact_fewerRevisionsThanRetained_deletesNothing() {
        try (SqliteKeyStore store = SqliteKeyStore.open(dir.resolve("keymeter.db"))) {
            RevisionNotifier notifier = new RevisionNotifier(0);
            notifier.committed(insert(store, 0));
            try (ChangeLogCompaction compaction = new ChangeLogCompaction(store, notifier, 5, 1)) {
                assertEquals(0, compaction.compact());
            }
            assertEquals(0, store.read(StoreReader::oldestServableRevision));
        }
    }

    private static long insert(SqliteKeyStore store, int i) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        String id = "key_" + i;
        return store.write(w -> {
            long revision = w.nextRevision();
            w.insertKey(new ApiKey(id, "name-" + i, KeyKind.ADMIN, OwnerType.SERVICE_ACCOUNT, null, null,
                    KeyStatus.ACTIVE, Permissions.ALL, Limits.NONE, null, false, "test", now, now, revision,
                    List.of(new Secret(TokenFormat.sha256(id), "kma_…" + i, null))));
            return revision;
        });
    }
}
