package dev.keymeter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 durability: a child JVM ({@link CreateLoop}) creates keys and acknowledges each one after
 * {@code write} returned; the test kills it with SIGKILL mid-stream, reopens the file and finds
 * every acknowledged key intact. Three cycles on the same file prove that reopening after a crash
 * works again and again, and that revisions keep increasing across crashes.
 *
 * <p>SIGKILL ends the process but not the kernel: this proves crash consistency of the process
 * (no torn or lost commits), not power-loss durability, which rests on {@code synchronous=FULL}.
 */
class SqliteKeyStoreDurabilityTest {

    private static final int CYCLES = 3;
    private static final int ACKS_BEFORE_KILL = 200;
    private static final Pattern ACK = Pattern.compile("(\\d+) (\\d+) ok");

    @TempDir
    Path dir;

    @Test
    void write_acknowledgedThenKilledWithSigkill_survivesReopen() throws Exception {
        Path file = dir.resolve("data/keymeter.db");
        Map<String, Long> acknowledged = new LinkedHashMap<>();
        long highestRevision = 0;
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            String name = "c" + cycle;
            Map<Integer, Long> acks = runAndKill(file, name);
            long lowest = acks.values().stream().mapToLong(Long::longValue).min().orElseThrow();
            assertTrue(lowest > highestRevision, "revision " + lowest + " reused after a crash");
            highestRevision = acks.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            acks.forEach((index, revision) -> acknowledged.put(name + ":" + index, revision));

            assertEveryAcknowledgedKeyIntact(file, acknowledged, highestRevision);
        }
    }

    private static void assertEveryAcknowledgedKeyIntact(Path file, Map<String, Long> acknowledged, long highest) {
        try (SqliteKeyStore store = SqliteKeyStore.open(file)) {
            assertEquals("ok", store.integrityCheck());
            store.read(r -> {
                assertTrue(r.currentRevision() >= highest);
                acknowledged.forEach((ack, revision) -> {
                    String[] parts = ack.split(":");
                    var expected = TestKeys.durable(parts[0], Integer.parseInt(parts[1]), revision);
                    assertEquals(Optional.of(expected), r.findKey(expected.id()), "acknowledged key lost or damaged");
                });
                return null;
            });
        }
    }

    /** Runs {@link CreateLoop} until it has acknowledged enough keys, kills it, returns index → revision. */
    private Map<Integer, Long> runAndKill(Path file, String cycle) throws Exception {
        Path errors = dir.resolve(cycle + ".stderr");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CreateLoop.class.getName(), file.toString(), cycle)
                .redirectError(errors.toFile())
                .start();
        List<String> lines = new ArrayList<>();
        CountDownLatch enough = new CountDownLatch(ACKS_BEFORE_KILL);
        Thread pump = new Thread(() -> pump(child, lines, enough), "durability-pump-" + cycle);
        pump.start();
        try {
            boolean reached = enough.await(60, TimeUnit.SECONDS);
            assertTrue(reached && child.isAlive(), "the child acknowledged " + count(lines)
                    + " keys and then stopped or stalled; its stderr:\n" + Files.readString(errors));
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux
        }
        assertEquals(137, child.waitFor(), "exit code of a process killed by SIGKILL (128 + 9)");
        pump.join(TimeUnit.SECONDS.toMillis(30));
        return parse(lines);
    }

    /** Reads stdout to its end: lines flushed before the kill still count as acknowledged. */
    private static void pump(Process child, List<String> lines, CountDownLatch enough) {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                synchronized (lines) {
                    lines.add(line);
                }
                enough.countDown();
            }
        } catch (IOException e) {
            // The pipe breaks when the child dies; what was read is what was acknowledged.
        }
    }

    private static int count(List<String> lines) {
        synchronized (lines) {
            return lines.size();
        }
    }

    /** Complete lines only: a line cut by the kill does not end in " ok" and was never acknowledged. */
    private static Map<Integer, Long> parse(List<String> lines) {
        Map<Integer, Long> acks = new LinkedHashMap<>();
        synchronized (lines) {
            for (String line : lines) {
                Matcher m = ACK.matcher(line);
                if (m.matches()) {
                    acks.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
                }
            }
        }
        assertTrue(acks.size() >= ACKS_BEFORE_KILL, "only " + acks.size() + " acknowledgements parsed");
        return acks;
    }
}
