package dev.keymeter.store;

import static dev.keymeter.store.TestKeys.T0;
import static dev.keymeter.store.TestKeys.insert;
import static dev.keymeter.store.TestKeys.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.Project;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The rules of transactions: rollback, revisions allocated in the transaction, confinement, close. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class TransactionRulesTest {

    @Parameter
    StoreKind kind;

    @TempDir
    Path dir;

    private KeyStore store;

    @BeforeEach
    void open() {
        store = kind.open(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void write_callbackThrows_rollsBackAndRethrowsTheSameException() {
        insert(store, key("key_before"));
        long revisionBefore = store.read(StoreReader::currentRevision);
        IllegalStateException thrown = new IllegalStateException("refused");

        IllegalStateException caught = assertThrows(IllegalStateException.class, () -> store.write(w -> {
            w.insertKey(key("key_lost").build(w.nextRevision()));
            w.insertProject(new Project("lost", "Lost", T0, "key_before"));
            w.appendAudit(new AuditEntry(0, T0, "key_before", "CreateKey", "key/key_lost", "OK", Map.of(), 0));
            throw thrown;
        }));

        assertSame(thrown, caught);
        assertEquals(revisionBefore, store.read(StoreReader::currentRevision));
        assertEquals(Optional.empty(), store.read(r -> r.findKey("key_lost")));
        assertEquals(Optional.empty(), store.read(r -> r.findProject("lost")));
        assertTrue(store.read(r -> r.listAudit(dev.keymeter.store.AuditFilter.ALL, 10, "")).items().isEmpty());
        assertEquals(1, store.read(r -> r.changesAfter(0, 10)).size());
    }

    @Test
    void insertKey_revisionNotAllocatedInTransaction_isRefused() {
        long stale = insert(store, key("key_a")).revision();

        assertThrows(IllegalArgumentException.class, () -> store.write(w -> {
            w.insertKey(key("key_b").build(stale));
            return null;
        }));
        assertThrows(IllegalArgumentException.class, () -> store.write(w -> {
            w.insertKey(key("key_c").build(w.nextRevision() + 1));
            return null;
        }));
    }

    @Test
    void read_insideWriteOnSameThread_isRefused() {
        assertThrows(IllegalStateException.class, () -> store.write(w -> store.read(StoreReader::currentRevision)));
        assertThrows(IllegalStateException.class, () -> store.read(r -> store.write(StoreWriter::nextRevision)));
    }

    @Test
    void writer_usedAfterItsCallback_isRefused() {
        StoreWriter leaked = store.write(w -> w);

        assertThrows(IllegalStateException.class, leaked::nextRevision);
    }

    @Test
    void read_callbackCastsReaderToWriter_cannotWrite() {
        assertThrows(StoreException.class, () -> store.read(r -> ((StoreWriter) r).nextRevision()));
        assertEquals(0, store.read(StoreReader::currentRevision));
    }

    @Test
    void write_afterClose_isRefused() {
        store.close();

        assertThrows(IllegalStateException.class, () -> store.write(StoreWriter::nextRevision));
        store.close();
    }
}
