package dev.keymeter.chronicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real persisted maps in a temporary directory; the JVM flags come from surefire's argLine. */
class ChronicleFilesTest {

    /** Digest-sized keys, as the key replica uses. */
    private static final MapLayout<byte[], Long> LAYOUT =
            new MapLayout<>("test", byte[].class, Long.class, new byte[32], 0L, 1_000);

    @TempDir Path dir;

    @Test
    void open_afterCleanClose_keepsEntriesWithoutRecovery() throws IOException {
        Path file = dir.resolve("keys.cmap");
        try (PersistedMap<byte[], Long> map = ChronicleFiles.open(LAYOUT, file)) {
            assertFalse(map.recovered());
            map.map().put(key(1), 100L);
            assertEquals(100L, map.map().get(key(1)));
        }
        assertFalse(Files.exists(ChronicleFiles.markerFor(file)), "a clean close removes the marker");

        try (PersistedMap<byte[], Long> map = ChronicleFiles.open(LAYOUT, file)) {
            assertFalse(map.recovered());
            assertEquals(100L, map.map().get(key(1)));
        }
    }

    @Test
    void open_markerLeftByUncleanShutdown_recoversAndKeepsEntries() throws IOException {
        Path file = dir.resolve("counters.cmap");
        try (PersistedMap<byte[], Long> map = ChronicleFiles.open(LAYOUT, file)) {
            map.map().put(key(1), 100L);
            map.map().put(key(2), 200L);
        }
        // What a process killed with the map open leaves behind: the marker, and no lock on it.
        Files.writeString(ChronicleFiles.markerFor(file), "pid 1\n");

        try (PersistedMap<byte[], Long> map = ChronicleFiles.open(LAYOUT, file)) {
            assertTrue(map.recovered());
            assertEquals(0, map.corruptions());
            assertEquals(2, map.map().size());
            assertEquals(100L, map.map().get(key(1)));
            assertEquals(200L, map.map().get(key(2)));
        }
        try (PersistedMap<byte[], Long> map = ChronicleFiles.open(LAYOUT, file)) {
            assertFalse(map.recovered(), "recovery ends with a clean close like any other open");
        }
    }

    @Test
    void open_markerWithoutMapFile_createsWithoutRecovery() throws IOException {
        Path file = dir.resolve("never-created.cmap");
        Files.writeString(ChronicleFiles.markerFor(file), "pid 1\n");

        try (PersistedMap<byte[], Long> map = ChronicleFiles.open(LAYOUT, file)) {
            assertFalse(map.recovered());
            assertTrue(map.map().isEmpty());
        }
    }

    @Test
    void open_whileAlreadyOpenInThisProcess_isRefusedAndFirstOpenStillWorks() throws IOException {
        Path file = dir.resolve("owned.cmap");
        try (PersistedMap<byte[], Long> first = ChronicleFiles.open(LAYOUT, file)) {
            IOException refused = assertThrows(IOException.class, () -> ChronicleFiles.open(LAYOUT, file));
            assertTrue(refused.getMessage().contains("already open"), refused.getMessage());

            first.map().put(key(3), 300L);
            assertEquals(300L, first.map().get(key(3)));
        }
        assertFalse(Files.exists(ChronicleFiles.markerFor(file)));
    }

    @Test
    void open_markerLockedByAnotherLiveProcess_isRefusedWithoutRecovery() throws Exception {
        Path file = dir.resolve("shared.cmap");
        try (PersistedMap<byte[], Long> map = ChronicleFiles.open(LAYOUT, file)) {
            map.map().put(key(5), 500L);
        }
        Process owner = startLockHolder(ChronicleFiles.markerFor(file));
        try (BufferedReader out = owner.inputReader(StandardCharsets.US_ASCII)) {
            assertEquals("locked true", out.readLine());

            IOException refused = assertThrows(IOException.class, () -> ChronicleFiles.open(LAYOUT, file));
            assertTrue(refused.getMessage().contains("another process"), refused.getMessage());
        } finally {
            owner.getOutputStream().close();
            assertTrue(owner.waitFor(30, TimeUnit.SECONDS), "lock holder did not exit");
        }
    }

    @Test
    void open_missingDirectory_createsIt() throws IOException {
        Path file = dir.resolve("a/b/keys.cmap");
        try (PersistedMap<byte[], Long> map = ChronicleFiles.open(LAYOUT, file)) {
            map.map().put(key(4), 400L);
        }
        assertTrue(Files.isRegularFile(file));
    }

    @Test
    void mapLayout_entriesBelowOne_isRejectedNamingEntries() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new MapLayout<>("bad", byte[].class, Long.class, new byte[32], 0L, 0));
        assertTrue(e.getMessage().startsWith("entries"), e.getMessage());
    }

    @Test
    void markerFor_mapFile_isSiblingWithOpenSuffix() {
        Path file = dir.resolve("keys.cmap");
        assertEquals(dir.resolve("keys.cmap.open"), ChronicleFiles.markerFor(file));
    }

    @Test
    void disableAnalytics_setsBothChronicleProperties() {
        ChronicleFiles.disableAnalytics();
        assertEquals("true", System.getProperty("chronicle.analytics.disable"));
        assertEquals("true", System.getProperty("chronicle.announcer.disable"));
    }

    /** A plain child JVM (no Chronicle) that holds the marker's lock as a live owner would. */
    private static Process startLockHolder(Path marker) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath =
                Path.of(HoldsFileLock.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                        .toString();
        return new ProcessBuilder(java, "-cp", classpath, HoldsFileLock.class.getName(), marker.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static byte[] key(int seed) {
        byte[] key = new byte[32];
        key[0] = (byte) seed;
        key[31] = (byte) (seed * 31);
        return key;
    }
}
