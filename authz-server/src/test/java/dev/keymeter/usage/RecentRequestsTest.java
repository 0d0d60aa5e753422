package dev.keymeter.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.chronicle.ChronicleFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request ids of counted usage, in real Chronicle Map files: retries are recognised within the
 * retention and across a reopen (a sidecar restart), and the files never hold more than the capacity.
 */
class RecentRequestsTest {

    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    @BeforeAll
    static void quietChronicle() {
        ChronicleFiles.disableAnalytics();
    }

    @Test
    void firstTime_repeatWithinTheRetention_isRecognised_andForgottenAfterIt() throws IOException {
        try (RecentRequests recent = RecentRequests.open(dir, 10, HOUR, 0)) {
            assertTrue(recent.firstTime("a", 1_000));
            assertFalse(recent.firstTime("a", 2_000));
            recent.expire(HOUR);
            assertFalse(recent.firstTime("a", HOUR + 999), "still held in the previous generation");
            assertTrue(recent.firstTime("a", HOUR + 1_000), "forgotten after the retention");
        }
    }

    @Test
    void firstTime_repeatAfterReopening_isRecognised() throws IOException {
        try (RecentRequests recent = RecentRequests.open(dir, 10, HOUR, 0)) {
            assertTrue(recent.firstTime("key_a\nreq-1", 5));
        }
        try (RecentRequests reopened = RecentRequests.open(dir, 10, HOUR, 10)) {
            assertFalse(reopened.firstTime("key_a\nreq-1", 20), "a retry across a restart counts once");
            assertTrue(reopened.firstTime("key_a\nreq-2", 20));
        }
    }

    @Test
    void firstTime_manyMoreIdsThanTheCapacity_keepsTheFilesUnderIt() throws IOException {
        try (RecentRequests recent = RecentRequests.open(dir, 100, HOUR, 0)) {
            for (int i = 0; i < 2_000; i++) {
                assertTrue(recent.firstTime("req-" + i, i));
                assertTrue(recent.size() <= 100, "held " + recent.size());
            }
            assertFalse(recent.firstTime("req-1999", 2_001), "the newest ids are still recognised");
            assertTrue(recent.earlyRotations() > 0, "rotations before the retention are counted");
            assertEquals(2, generationFiles(), "two generations on disk");
        }
    }

    @Test
    void open_moreThanTwoGenerationsOnDisk_deletesTheOlderOnes() throws IOException {
        try (RecentRequests recent = RecentRequests.open(dir, 10, 1_000, 0)) {
            recent.firstTime("old", 0);
            recent.expire(1_000);
            recent.firstTime("middle", 1_000);
        }
        // A third generation from elsewhere (e.g. a copy of an older data directory).
        Files.copy(dir.resolve("ids-0.cmap"), dir.resolve("ids-3.cmap"));
        try (RecentRequests recent = RecentRequests.open(dir, 10, 1_000, 1_500)) {
            assertFalse(Files.exists(dir.resolve("ids-0.cmap")), "the oldest generation is deleted");
            assertEquals(2, generationFiles());
            assertFalse(recent.firstTime("middle", 1_500));
        }
    }

    private long generationFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".cmap")).count();
        }
    }
}
