package dev.keymeter.replica;

import dev.keymeter.chronicle.KeyIdBytes;
import static dev.keymeter.replica.KeyRecordFixtures.digest;
import static dev.keymeter.replica.KeyRecordFixtures.key;
import static dev.keymeter.replica.KeyRecordFixtures.keyId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.chronicle.PersistedMap;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that were not closed cleanly are recovered; files that cannot serve are detected and rebuilt. */
class ReplicaRecoveryTest {

    private static final long CAPACITY = 1_000;
    private static final byte[] A = digest("token-a");
    private static final byte[] B = digest("token-b");

    @TempDir Path dir;
    private final ReplicaEntry entry = new ReplicaEntry();

    @Test
    void open_garbageOverTheDigestFileHeader_isUnusableAtOnce() throws IOException {
        loadedReplica();
        writeGarbage(dir.resolve(ChronicleKeyReplica.DIGESTS_FILE), 0, 64);

        long started = System.nanoTime();
        ReplicaUnusableException e = assertThrows(ReplicaUnusableException.class,
                () -> ChronicleKeyReplica.open(dir, CAPACITY));

        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 30,
                "Chronicle's 60 s wait for a creator was skipped");
        assertTrue(e.getMessage().contains(ChronicleKeyReplica.DIGESTS_FILE), e.getMessage());
        assertTrue(Files.exists(dir.resolve(ChronicleKeyReplica.DIGESTS_FILE)), "open leaves the files alone");
    }

    @Test
    void open_headerOfACreationThatNeverFinished_isUnusableAtOnce() throws IOException {
        loadedReplica();
        // Chronicle's size word (bytes 8-11, little-endian) with its "not complete" bit set.
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(ChronicleKeyReplica.META_FILE).toFile(), "rw")) {
            file.seek(11);
            int high = file.read();
            file.seek(11);
            file.write(high | 0x80);
        }

        long started = System.nanoTime();
        ReplicaUnusableException e = assertThrows(ReplicaUnusableException.class,
                () -> ChronicleKeyReplica.open(dir, CAPACITY));

        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 30, "no 60 s wait");
        assertTrue(e.getMessage().contains("incomplete header"), e.getMessage());
    }

    @Test
    void openOrRebuild_garbageOverTheKeyFileChecksum_movesFilesAsideAndStartsEmpty() throws IOException {
        loadedReplica();
        writeGarbage(dir.resolve(ChronicleKeyReplica.KEYS_FILE), 0, 8);

        try (ChronicleKeyReplica replica = ChronicleKeyReplica.openOrRebuild(dir, CAPACITY)) {
            assertEmptyAndNotLoaded(replica);
            replica.upsert(key(keyId(3), 8, B).build());
            assertTrue(replica.lookup(B, entry), "the rebuilt replica takes writes");
        }
        assertEquals(3, movedAside().size(), "all three files were kept for diagnosis: " + movedAside());
    }

    @Test
    void openOrRebuild_brokenFilesOfMoreThanThreeRebuilds_keepsTheLastThree() throws IOException {
        loadedReplica();
        for (long stamp = 1_000; stamp <= 5_000; stamp += 1_000) { // five earlier rebuilds, three files each
            for (String name : List.of(ChronicleKeyReplica.KEYS_FILE, ChronicleKeyReplica.META_FILE,
                    ChronicleKeyReplica.DIGESTS_FILE)) {
                Files.writeString(dir.resolve(name + ".broken-" + stamp), "old");
            }
        }
        Files.writeString(dir.resolve("notes.broken-by-hand"), "not ours");

        try (ChronicleKeyReplica replica = ChronicleKeyReplica.openOrRebuild(dir, CAPACITY)) {
            assertTrue(replica.isLoaded(), "the replica itself is untouched");
        }
        List<String> left = movedAside().stream().map(f -> f.getFileName().toString()).sorted().toList();
        assertEquals(10, left.size(), left.toString());
        assertTrue(left.stream().filter(n -> !n.equals("notes.broken-by-hand"))
                .allMatch(n -> n.endsWith("-3000") || n.endsWith("-4000") || n.endsWith("-5000")), left.toString());
        assertTrue(left.contains("notes.broken-by-hand"), "a file that is not a rebuild's is left alone");

        // One more rebuild: its files are kept, the oldest remaining rebuild's go.
        writeGarbage(dir.resolve(ChronicleKeyReplica.KEYS_FILE), 0, 8);
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.openOrRebuild(dir, CAPACITY)) {
            assertEmptyAndNotLoaded(replica);
        }
        assertEquals(10, movedAside().size(), movedAside().toString());
        assertTrue(movedAside().stream().noneMatch(f -> f.getFileName().toString().endsWith("-3000")));
    }

    @Test
    void open_unknownLayoutVersion_isUnusable_andOpenOrRebuildStartsEmpty() throws IOException {
        loadedReplica();
        try (PersistedMap<Integer, byte[]> meta =
                ChronicleFiles.open(ReplicaFiles.metaLayout(), dir.resolve(ChronicleKeyReplica.META_FILE))) {
            ReplicaMeta future = new ReplicaMeta(1_000, 5, 1, CAPACITY, true, 0);
            meta.map().put(future.slot(), future.encode(ReplicaMeta.LAYOUT_VERSION + 1));
        }

        ReplicaUnusableException e = assertThrows(ReplicaUnusableException.class,
                () -> ChronicleKeyReplica.open(dir, CAPACITY));
        assertTrue(e.getMessage().contains("layout version " + (ReplicaMeta.LAYOUT_VERSION + 1)), e.getMessage());

        try (ChronicleKeyReplica replica = ChronicleKeyReplica.openOrRebuild(dir, CAPACITY)) {
            assertEmptyAndNotLoaded(replica);
        }
    }

    @Test
    void openOrRebuild_filesOfLayoutTwo_290ByteRecords_startEmpty() throws IOException {
        // As the previous version left them: 290-byte records (a 128-byte owner), meta layout 2.
        try (PersistedMap<byte[], byte[]> digests = ChronicleFiles.open(new dev.keymeter.chronicle.MapLayout<>(
                        "keymeter-replica-digests", byte[].class, byte[].class, new byte[KeyDigests.DIGEST_BYTES],
                        new byte[290], CAPACITY), dir.resolve(ChronicleKeyReplica.DIGESTS_FILE));
                PersistedMap<byte[], byte[]> keys = ChronicleFiles.open(ReplicaFiles.keyLayout(CAPACITY),
                        dir.resolve(ChronicleKeyReplica.KEYS_FILE));
                PersistedMap<Integer, byte[]> meta = ChronicleFiles.open(ReplicaFiles.metaLayout(),
                        dir.resolve(ChronicleKeyReplica.META_FILE))) {
            digests.map().put(A, new byte[290]);
            ReplicaMeta old = new ReplicaMeta(1, 5, 1, CAPACITY, true, 0);
            meta.map().put(old.slot(), old.encode(2));
        }

        assertThrows(ReplicaUnusableException.class, () -> ChronicleKeyReplica.open(dir, CAPACITY));
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.openOrRebuild(dir, CAPACITY)) {
            assertEmptyAndNotLoaded(replica);
            replica.upsert(key(keyId(1), 1, A).setOwnerUser("\u6F22".repeat(128)).build());
            assertTrue(replica.lookup(A, entry), "the rebuilt replica holds the wider owner");
            assertEquals("\u6F22".repeat(128), entry.ownerUser);
        }
    }

    @Test
    void open_dataWithoutAMetaRecord_isUnusable() throws IOException {
        loadedReplica();
        try (PersistedMap<Integer, byte[]> meta =
                ChronicleFiles.open(ReplicaFiles.metaLayout(), dir.resolve(ChronicleKeyReplica.META_FILE))) {
            meta.map().clear();
        }

        ReplicaUnusableException e = assertThrows(ReplicaUnusableException.class,
                () -> ChronicleKeyReplica.open(dir, CAPACITY));
        assertTrue(e.getMessage().contains("no meta record"), e.getMessage());
    }

    @Test
    void open_keyMapDeletedBesideTheOthers_isUnusableRatherThanCreatedEmpty() throws IOException {
        loadedReplica();
        Files.delete(dir.resolve(ChronicleKeyReplica.KEYS_FILE));

        ReplicaUnusableException e = assertThrows(ReplicaUnusableException.class,
                () -> ChronicleKeyReplica.open(dir, CAPACITY));
        assertTrue(e.getMessage().contains("lacks keys.cmap"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(ChronicleKeyReplica.KEYS_FILE)));
    }

    @Test
    void open_truncatedFile_isUnusable() throws IOException {
        loadedReplica();
        Path digests = dir.resolve(ChronicleKeyReplica.DIGESTS_FILE);
        try (RandomAccessFile file = new RandomAccessFile(digests.toFile(), "rw")) {
            file.setLength(5);
        }
        assertThrows(ReplicaUnusableException.class, () -> ChronicleKeyReplica.open(dir, CAPACITY));
    }

    @Test
    void openOrRebuild_anotherCapacity_deletesTheOldFilesAndStartsEmptyAtTheNewOne() throws IOException {
        loadedReplica();

        ReplicaUnusableException e = assertThrows(ReplicaUnusableException.class,
                () -> ChronicleKeyReplica.open(dir, 2 * CAPACITY));
        assertTrue(e.resized());

        try (ChronicleKeyReplica replica = ChronicleKeyReplica.openOrRebuild(dir, 2 * CAPACITY)) {
            assertEmptyAndNotLoaded(replica);
            assertEquals(2 * CAPACITY, replica.digestCapacity());
        }
        assertEquals(List.of(), movedAside(), "files only sized differently are not kept");
    }

    @Test
    void openOrRebuild_directoryInUse_isRefusedAndTheFilesAreLeftAlone() throws IOException {
        try (ChronicleKeyReplica first = ChronicleKeyReplica.open(dir, CAPACITY)) {
            first.upsert(key(keyId(1), 1, A).build());

            IOException refused =
                    assertThrows(IOException.class, () -> ChronicleKeyReplica.openOrRebuild(dir, CAPACITY));

            assertFalse(refused instanceof ReplicaUnusableException, refused.toString());
            assertEquals(List.of(), movedAside());
            assertTrue(first.lookup(A, entry));
        }
    }

    @Test
    void open_afterUncleanShutdown_removesOrphanedDigestsAndKeepsTheRest() throws IOException {
        loadedReplica();
        byte[] orphan = digest("token-orphan");
        // What a kill in the middle of a key-map write can leave: key 2's entry lost, its digest kept.
        try (PersistedMap<byte[], byte[]> keys =
                ChronicleFiles.open(ReplicaFiles.keyLayout(CAPACITY), dir.resolve(ChronicleKeyReplica.KEYS_FILE));
             PersistedMap<byte[], byte[]> digests =
                ChronicleFiles.open(ReplicaFiles.digestLayout(CAPACITY),
                        dir.resolve(ChronicleKeyReplica.DIGESTS_FILE))) {
            keys.map().remove(KeyIdBytes.of(keyId(2)));
            digests.map().put(orphan, digests.map().get(A).clone());
        }
        for (String file : List.of(ChronicleKeyReplica.DIGESTS_FILE, ChronicleKeyReplica.KEYS_FILE)) {
            Files.writeString(ChronicleFiles.markerFor(dir.resolve(file)), "pid 1\n");
        }

        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, CAPACITY)) {
            assertTrue(replica.lookup(A, entry));
            assertFalse(replica.lookup(B, entry), "key 2's digest is no longer listed by any key");
            assertFalse(replica.lookup(orphan, entry), "key 1 does not list this digest");
            assertEquals(1, replica.digestCount());
            assertEquals(7, replica.appliedRevision());
            assertTrue(replica.isLoaded());
        }
    }

    @Test
    void open_newestMetaSlotLost_resumesFromTheRevisionBeforeIt() throws IOException {
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, CAPACITY)) {
            replica.markApplied(5);
            replica.markApplied(6);
        }
        try (PersistedMap<Integer, byte[]> meta =
                ChronicleFiles.open(ReplicaFiles.metaLayout(), dir.resolve(ChronicleKeyReplica.META_FILE))) {
            int newest = ReplicaMeta.decode(meta.map().get(0)).appliedRevision() == 6 ? 0 : 1;
            assertEquals(6, ReplicaMeta.decode(meta.map().get(newest)).appliedRevision());
            meta.map().remove(newest);
        }

        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, CAPACITY)) {
            assertEquals(5, replica.appliedRevision());
            replica.markApplied(7);
        }
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, CAPACITY)) {
            assertEquals(7, replica.appliedRevision());
        }
    }

    /** Keys 1 (digest A) and 2 (digest B), loaded by a snapshot at revision 7, closed cleanly. */
    private void loadedReplica() throws IOException {
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, CAPACITY)) {
            replica.beginSnapshot(7);
            replica.upsert(key(keyId(1), 3, A).build());
            replica.upsert(key(keyId(2), 6, B).build());
            replica.endSnapshot(7);
        }
    }

    private void assertEmptyAndNotLoaded(ChronicleKeyReplica replica) {
        assertFalse(replica.isLoaded());
        assertEquals(0, replica.appliedRevision());
        assertEquals(0, replica.keyCount());
        assertFalse(replica.lookup(A, entry));
    }

    private List<Path> movedAside() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().contains(".broken-")).toList();
        }
    }

    private static void writeGarbage(Path file, long offset, int length) throws IOException {
        byte[] garbage = new byte[length];
        new Random(7).nextBytes(garbage);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(garbage);
        }
    }
}
