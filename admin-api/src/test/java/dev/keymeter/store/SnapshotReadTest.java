package dev.keymeter.store;

import static dev.keymeter.store.TestKeys.T0;
import static dev.keymeter.store.TestKeys.graceSecret;
import static dev.keymeter.store.TestKeys.insert;
import static dev.keymeter.store.TestKeys.key;
import static dev.keymeter.store.TestKeys.secret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keymeter.keys.ApiKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** What a replication snapshot reads: keys in pages by id, their count, in a detached transaction. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SnapshotReadTest {

    @Parameter
    StoreKind kind;

    @TempDir
    Path dir;
    KeyStore store;
    final List<ApiKey> written = new ArrayList<>();

    @BeforeEach
    void open() {
        store = kind.open(dir);
        // Inserted out of id order, one with two secrets: pages must follow ids and keep secrets whole.
        for (int i : new int[] {7, 2, 9, 0, 5, 3, 8, 1, 6, 4}) {
            TestKeys.Builder b = key(String.format("key_%02d", i));
            if (i == 5) {
                b.secrets(List.of(secret("current-5"), graceSecret("old-5", T0.plusSeconds(60))));
            }
            written.add(insert(store, b));
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void keysAfter_pagesOfThree_listEveryKeyOnceByIdWithItsSecrets() {
        List<ApiKey> paged = new ArrayList<>();
        String after = "";
        List<ApiKey> page;
        do {
            String from = after;
            page = store.read(r -> r.keysAfter(from, 3));
            paged.addAll(page);
            after = page.isEmpty() ? after : page.get(page.size() - 1).id();
        } while (page.size() == 3);

        assertEquals(store.read(StoreReader::allKeys), paged);
        assertEquals(written.stream().map(ApiKey::id).sorted().toList(), paged.stream().map(ApiKey::id).toList());
        assertEquals(2, paged.get(5).secrets().size());
        assertEquals(10, store.read(StoreReader::keyCount));
    }

    @Test
    void keysAfter_theLastId_isEmpty() {
        assertEquals(List.of(), store.read(r -> r.keysAfter("key_09", 100)));
    }

    @Test
    void keysAfter_limitBelowOne_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> store.read(r -> r.keysAfter("", 0)));
    }

    /**
     * A detached read keeps its view while another thread writes and reads: those do not wait for it
     * (a plain read would hold the shared read connection, and that thread's read would block).
     */
    @Test
    void readDetached_whileOthersWriteAndRead_keepsItsViewAndBlocksNoOne() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            List<Long> counts = store.readDetached(r -> {
                long before = r.keyCount();
                try {
                    other.submit(() -> insert(store, key("key_10"))).get(10, TimeUnit.SECONDS);
                    long seenByOthers = other.submit(() -> store.read(StoreReader::keyCount)).get(10, TimeUnit.SECONDS);
                    return List.of(before, seenByOthers, r.keyCount(), (long) r.keysAfter("", 100).size());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });

            assertEquals(List.of(10L, 11L, 10L, 10L), counts);
        } finally {
            other.shutdownNow();
        }
    }
}
