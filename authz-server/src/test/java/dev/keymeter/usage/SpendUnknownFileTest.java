package dev.keymeter.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.logging.LogLines;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.replica.ReplicaEntry;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file that keeps "spend unknown" blocks across restarts, on a real file system. */
class SpendUnknownFileTest {

    @TempDir
    Path dir;

    private static ReplicaEntry costLimitedKey(String id) {
        ReplicaEntry key = new ReplicaEntry();
        key.keyId = id;
        key.costLimitMicroUsd = 1_000_000;
        return key;
    }

    private static Budgets budgets(SpendUnknownFile file) {
        return new Budgets(new HeapCounterStore(10), PriceTable.empty(), new Reservations(60_000, 10), null, file);
    }

    @Test
    void save_thenLoad_givesTheSameKeys_oddKeyIdsIncluded() throws Exception {
        SpendUnknownFile file = new SpendUnknownFile(dir.resolve("spend-unknown"));
        file.save(Map.of("key_1", 4L, "key with space\nand newline", 9L));
        assertEquals(Map.of("key_1", 4L, "key with space\nand newline", 9L), file.load());
    }

    @Test
    void load_noFile_isEmpty() {
        assertEquals(Map.of(), new SpendUnknownFile(dir.resolve("none")).load());
    }

    @Test
    void load_badLine_isSkippedWithAWarning_theOthersHold() throws Exception {
        Path path = dir.resolve("spend-unknown");
        Files.writeString(path, "4 key_1\ngarbage\nx key_2\n7 key_3\n");
        try (LogLines log = new LogLines("keymeter.usage")) {
            assertEquals(Map.of("key_1", 4L, "key_3", 7L), new SpendUnknownFile(path).load());
            assertEquals(2, log.lines().size(), log.lines().toString());
            assertTrue(log.lines().get(0).contains(path + " line 2"), log.lines().get(0));
        }
    }

    @Test
    void load_unreadable_failsNamingTheFile() throws Exception {
        Path path = Files.createDirectory(dir.resolve("spend-unknown")); // a directory cannot be read as a file
        var e = assertThrows(UncheckedIOException.class, () -> budgets(new SpendUnknownFile(path)));
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
    }

    @Test
    void markUnpriced_persistsOnce_andARestartedBudgetsStillBlocks() throws Exception {
        Path path = dir.resolve("spend-unknown");
        Budgets first = budgets(new SpendUnknownFile(path));
        ReplicaEntry key = costLimitedKey("key_1");
        assertFalse(first.spendUnknown(key));
        first.markUnpriced(key, "mystery");
        long written = Files.getLastModifiedTime(path).toMillis();
        Files.setLastModifiedTime(path, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
        first.markUnpriced(key, "mystery");
        assertEquals(written - 60_000, Files.getLastModifiedTime(path).toMillis(), "the same mark is not written again");

        Budgets restarted = budgets(new SpendUnknownFile(path));
        assertTrue(restarted.spendUnknown(key));
        assertFalse(restarted.spendUnknown(costLimitedKey("key_2")));
    }

    @Test
    void markUnpriced_fileCannotBeWritten_blocksInMemory_andLogsTheFile() throws Exception {
        Path path = dir.resolve("data").resolve("spend-unknown");
        Budgets budgets = budgets(new SpendUnknownFile(path)); // no file yet: nothing blocked
        Files.writeString(dir.resolve("data"), "x"); // now its directory is a file: every write fails
        try (LogLines log = new LogLines("keymeter.usage")) {
            budgets.markUnpriced(costLimitedKey("key_1"), "m");
            assertTrue(budgets.spendUnknown(costLimitedKey("key_1")));
            assertEquals(1, log.lines().size());
            assertTrue(log.lines().get(0).contains(path.toString()), log.lines().get(0));
        }
    }
}
