package dev.keymeter.replica;

import static dev.keymeter.replica.KeyRecordFixtures.keyId;
import static dev.keymeter.replica.ReplicaWriterProcess.KEYS;
import static dev.keymeter.replica.ReplicaWriterProcess.currentDigest;
import static dev.keymeter.replica.ReplicaWriterProcess.keepsPrevious;
import static dev.keymeter.replica.ReplicaWriterProcess.keyOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.chronicle.ChronicleFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 in the middle of replication, again and again on one directory: the replica reopens
 * (through Chronicle's recovery), its applied revision is at least the last one the writer
 * reported, and every key is exactly as the revisions up to it left it. The writer is
 * {@link ReplicaWriterProcess} in a child JVM, killed with SIGKILL ({@code destroyForcibly}).
 */
class ReplicaKillRecoveryTest {

    private static final int CYCLES = 6;
    private static final long FIRST_LINE_SECONDS = 60;
    private static final long NEXT_LINE_SECONDS = 20;

    @TempDir Path dir;

    @Test
    void kill9_midStream_reopensWithEveryAppliedRevisionIntact() throws Exception {
        Random random = new Random(20_260_101);
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            long lastPrinted = runAndKill(20 + random.nextInt(300), cycle);
            assertTrue(Files.exists(ChronicleFiles.markerFor(dir.resolve(ChronicleKeyReplica.DIGESTS_FILE))),
                    "cycle " + cycle + ": the kill left the replica unclosed");
            try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, ReplicaWriterProcess.CAPACITY)) {
                long applied = replica.appliedRevision();
                assertTrue(applied >= lastPrinted,
                        "cycle " + cycle + ": applied " + applied + " < last printed " + lastPrinted);
                assertEveryKeyAsOf(replica, applied, "cycle " + cycle);
            }
        }
    }

    /** Starts the writer, lets it print {@code revisions} revisions, kills it; returns the last one printed. */
    private long runAndKill(int revisions, int cycle) throws Exception {
        Path stderr = dir.resolve("writer-" + cycle + ".err");
        Process child = new ProcessBuilder(childCommand()).redirectError(stderr.toFile()).start();
        child.getOutputStream().close();
        BlockingQueue<String> lines = readLines(child);
        try {
            String start = lines.poll(FIRST_LINE_SECONDS, TimeUnit.SECONDS);
            assertNotNull(start, () -> "cycle " + cycle + ": the writer did not start: " + read(stderr));
            assertTrue(start.startsWith("start "), start);
            long last = Long.parseLong(start.substring("start ".length()));
            for (int i = 0; i < revisions; i++) {
                String line = lines.poll(NEXT_LINE_SECONDS, TimeUnit.SECONDS);
                long printed = last;
                assertNotNull(line,
                        () -> "cycle " + cycle + ": the writer stopped after " + printed + ": " + read(stderr));
                last = Long.parseLong(line);
            }
            return last;
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the writer did not die");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    private List<String> childCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(chronicleJvmFlags());
        command.add("-Xmx64m");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                ReplicaWriterProcess.class.getName(), dir.toString()));
        return command;
    }

    /**
     * Chronicle's JVM flags for the child: the parent pom's {@code chronicle.jvm.flags} when surefire
     * passes it as a system property, otherwise the matching flags this test JVM was started with
     * (surefire's {@code argLine} is that same property).
     */
    static List<String> chronicleJvmFlags() {
        String configured = System.getProperty("chronicle.jvm.flags");
        if (configured != null && !configured.isBlank()) {
            return Arrays.asList(configured.trim().split("\\s+"));
        }
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")
                        || a.startsWith("--enable-native-access") || a.startsWith("-Dchronicle."))
                .toList();
    }

    private static BlockingQueue<String> readLines(Process child) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = child.inputReader(StandardCharsets.US_ASCII)) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException closedByKill) {
                // The child is gone; the test stops reading.
            }
        }, "writer-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /**
     * Every key as revisions 1..{@code applied} left it. The one revision after {@code applied} may
     * have been in flight when the kill came, so its key may show either state, or neither digest
     * for a moment (the old digest goes before the new one comes), but never a mixed entry.
     */
    private static void assertEveryKeyAsOf(ChronicleKeyReplica replica, long applied, String cycle) {
        long inFlight = applied + 1;
        ReplicaEntry entry = new ReplicaEntry();
        for (int k = 0; k < KEYS; k++) {
            long last = applied - Math.floorMod(applied - k, KEYS);
            if (last < 1) {
                continue;
            }
            String where = cycle + ", key " + k + " at revision " + last;
            if (k == keyOf(inFlight)) {
                assertEitherState(replica, last, inFlight, where);
                continue;
            }
            assertTrue(replica.lookup(currentDigest(last), entry), where + ": current digest missing");
            assertEntry(entry, k, last, ReplicaEntry.NEVER, where);
            boolean graceFound = last > KEYS && replica.lookup(currentDigest(last - KEYS), entry);
            assertEquals(keepsPrevious(last), graceFound, where + ": previous digest");
            if (graceFound) {
                assertEntry(entry, k, last, last, where);
            }
            assertFalse(last > 2 * KEYS && replica.lookup(currentDigest(last - 2 * KEYS), entry),
                    where + ": a digest two rotations old is still there");
        }
        assertTrue(replica.keyCount() <= KEYS, cycle + ": " + replica.keyCount() + " keys");
    }

    private static void assertEitherState(ChronicleKeyReplica replica, long last, long inFlight, String where) {
        ReplicaEntry entry = new ReplicaEntry();
        if (replica.lookup(currentDigest(inFlight), entry)) {
            assertEquals(inFlight, entry.revision, where);
            assertEquals(inFlight, entry.costLimitMicroUsd, where);
        }
        if (replica.lookup(currentDigest(last), entry)) {
            assertTrue(entry.revision == last || entry.revision == inFlight, where + ": " + entry.revision);
            assertEquals(entry.revision, entry.costLimitMicroUsd, where + ": mixed entry");
        }
    }

    private static void assertEntry(ReplicaEntry entry, int k, long revision, long secretExpiry, String where) {
        assertEquals(keyId(k), entry.keyId, where);
        assertEquals(revision, entry.revision, where);
        assertEquals(revision, entry.costLimitMicroUsd, where);
        assertEquals(revision, entry.tokenLimit, where);
        assertEquals(secretExpiry, entry.secretExpiresAtMillis, where);
    }
}
