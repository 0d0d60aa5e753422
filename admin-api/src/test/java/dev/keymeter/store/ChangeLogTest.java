package dev.keymeter.store;

import static dev.keymeter.store.TestKeys.T0;
import static dev.keymeter.store.TestKeys.insert;
import static dev.keymeter.store.TestKeys.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Revisions and the change log that replication serves. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class ChangeLogTest {

    @Parameter
    StoreKind kind;

    @TempDir
    Path dir;

    @Test
    void nextRevision_acrossTransactionsAndReopen_strictlyIncreases() {
        StoreKind.Location location = kind.newLocation(dir);
        List<Long> revisions = new ArrayList<>();
        try (KeyStore store = location.open()) {
            assertEquals(0, store.read(StoreReader::currentRevision));
            revisions.add(store.write(StoreWriter::nextRevision));
            revisions.addAll(store.write(w -> List.of(w.nextRevision(), w.nextRevision())));
        }
        try (KeyStore store = location.open()) {
            assertEquals(3, store.read(StoreReader::currentRevision));
            revisions.add(store.write(StoreWriter::nextRevision));
        }

        assertEquals(List.of(1L, 2L, 3L, 4L), revisions);
    }

    @Test
    void changesAfter_insertUpdateDelete_listsEachWriteInRevisionOrder() {
        try (KeyStore store = kind.open(dir)) {
            ApiKey a = insert(store, key("key_a"));
            insert(store, key("key_b"));
            store.write(w -> {
                w.nextRevision(); // a revision without a key change leaves a gap, which is fine
                w.updateKey(a.withStatus(KeyStatus.DISABLED, T0, w.nextRevision()));
                w.deleteKey("key_b", w.nextRevision());
                return null;
            });

            List<KeyChange> all = store.read(r -> r.changesAfter(0, 100));

            assertEquals(List.of(new KeyChange(1, "key_a", false), new KeyChange(2, "key_b", false),
                    new KeyChange(4, "key_a", false), new KeyChange(5, "key_b", true)), all);
            assertEquals(List.of(new KeyChange(2, "key_b", false)), store.read(r -> r.changesAfter(1, 1)));
            assertEquals(List.of(), store.read(r -> r.changesAfter(5, 100)));
            assertEquals(5, store.read(StoreReader::currentRevision));
        }
    }

    @Test
    void updateKey_sameKeyTwiceAtOneRevision_keepsOneChange() {
        try (KeyStore store = kind.open(dir)) {
            ApiKey a = insert(store, key("key_a"));
            store.write(w -> {
                long revision = w.nextRevision();
                w.updateKey(a.withStatus(KeyStatus.DISABLED, T0, revision));
                w.updateKey(a.withStatus(KeyStatus.REVOKED, T0, revision));
                return null;
            });

            assertEquals(List.of(new KeyChange(1, "key_a", false), new KeyChange(2, "key_a", false)),
                    store.read(r -> r.changesAfter(0, 100)));
        }
    }

    @Test
    void insertKey_twoKeysAtOneRevision_isRefused() {
        try (KeyStore store = kind.open(dir)) {
            assertThrows(IllegalArgumentException.class, () -> store.write(w -> {
                long revision = w.nextRevision();
                w.insertKey(key("key_a").build(revision));
                w.insertKey(key("key_b").build(revision));
                return null;
            }));

            assertEquals(List.of(), store.read(StoreReader::allKeys));
        }
    }

    @Test
    void compactChangesThrough_oldChanges_dropsThemAndRaisesTheFloor() {
        StoreKind.Location location = kind.newLocation(dir);
        try (KeyStore store = location.open()) {
            for (int i = 0; i < 5; i++) {
                insert(store, key("key_" + i));
            }
            assertEquals(0, store.read(StoreReader::oldestServableRevision));

            assertEquals(3, store.compactChangesThrough(3));

            assertEquals(List.of(4L, 5L), store.read(r -> r.changesAfter(0, 100)).stream()
                    .map(KeyChange::revision).toList());
            assertThrows(IllegalArgumentException.class, () -> store.compactChangesThrough(6));
        }
        try (KeyStore store = location.open()) {
            assertEquals(3, store.read(StoreReader::oldestServableRevision));
            assertEquals(0, store.compactChangesThrough(2));
            assertEquals(3, store.read(StoreReader::oldestServableRevision));
            assertTrue(store.read(r -> r.findKey("key_0")).isPresent());
        }
    }
}
