package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import static dev.keymeter.quota.CounterCrashChild.BUDGET_AT;
import static dev.keymeter.quota.CounterCrashChild.EPOCHS;
import static dev.keymeter.quota.CounterCrashChild.KEY_IDS;
import static dev.keymeter.quota.CounterCrashChild.NOW;
import static dev.keymeter.quota.CounterCrashChild.RAW_CELL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a process counting on a {@link ChronicleCounterStore}, again and again on the
 * same files: after each kill the store reopens through Chronicle's recovery and every counter
 * holds at least every acknowledged update and at most one more per thread (the update each thread
 * may have made but not yet acknowledged). The counters keep accumulating across cycles.
 *
 * <p>The counting process is {@link CounterCrashChild} in a child JVM (this JDK's {@code java}, this
 * test's classpath, Chronicle's flags from the {@code chronicle.jvm.flags} property the parent pom
 * gives surefire), killed with {@link ProcessHandle#destroyForcibly()} (SIGKILL on Linux) after a random
 * number of acknowledgements and a random short delay. No assertion depends on timing: the parent
 * reads every acknowledgement the child wrote, to the end of the pipe, after the kill.
 */
class ChronicleCounterCrashTest {

    private static final int CYCLES = 20;
    private static final int THREADS = 4;
    private static final long CAPACITY = 16;
    private static final long WATCHDOG_SECONDS = 60;

    @TempDir Path tmp;

    @Test
    void kill9_whileCounting_losesNoAcknowledgedUpdate_overTwentyCycles() throws Exception {
        Path dir = tmp.resolve("store");
        Random random = new Random(20_260_122);
        int keys = KEY_IDS.length;
        long[] raw = new long[keys];      // what the counters held after the last reopen
        long[] budget = new long[keys];
        long checked = 0;
        long lost = 0;
        long overInFlight = 0;
        List<String> failures = new ArrayList<>();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                int killAfter = 300 + random.nextInt(5_000);
                int delayMillis = random.nextInt(25);
                Path stderr = tmp.resolve("child-" + cycle + ".err");
                Process child = new ProcessBuilder(childCommand(dir)).redirectError(stderr.toFile()).start();
                child.getOutputStream().close();
                ScheduledFuture<?> timeout = watchdog.schedule(() -> child.toHandle().destroyForcibly(), WATCHDOG_SECONDS, TimeUnit.SECONDS);
                long[] acked = new long[keys];
                long ackCount = 0;
                boolean killed = false;
                try (BufferedReader out = child.inputReader(StandardCharsets.US_ASCII)) {
                    String first = out.readLine();
                    int c = cycle;
                    assertNotNull(first, () -> "cycle " + c + ": the child did not start: " + read(stderr));
                    assertTrue(first.startsWith("ready "), first);
                    if (cycle == 1) {
                        IOException busy = assertThrows(IOException.class, () -> ChronicleCounterStore.open(dir, CAPACITY));
                        assertTrue(busy.getMessage().contains("open in another process"), busy.getMessage());
                    }
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        String[] f = line.split(" ");
                        if (f.length != 4 || !f[0].equals("ack")) {
                            failures.add("cycle " + cycle + ": unexpected line " + line);
                            continue;
                        }
                        acked[Integer.parseInt(f[1])]++;
                        ackCount++;
                        if (!killed && ackCount >= killAfter) {
                            Thread.sleep(delayMillis);
                            // SIGKILL through the handle: Process.destroyForcibly would also close
                            // our end of the pipe, and the acknowledgements still in it would be lost.
                            assertTrue(child.toHandle().destroyForcibly(), "SIGKILL not sent");
                            killed = true;
                        }
                        // After the kill: keep reading what the child wrote before it died, to EOF.
                    }
                } finally {
                    child.destroyForcibly();
                    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
                    timeout.cancel(false);
                }
                int c = cycle;
                assertTrue(killed, () -> "cycle " + c + ": the child ended before the kill: " + read(stderr));
                assertEquals(137, child.exitValue(), () -> "cycle " + c + ": not killed by SIGKILL: " + read(stderr));
                assertTrue(Files.exists(dir.resolve(ChronicleCounterStore.OPEN_MARKER)), "the kill left the store open");

                StringBuilder summary = new StringBuilder();
                try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, CAPACITY)) {
                    assertTrue(store.recovered(), "cycle " + cycle + ": opened without recovery");
                    assertEquals(keys, store.size());
                    for (int k = 0; k < keys; k++) {
                        CounterCells cells = store.existing(KEY_IDS[k], EPOCHS[k]);
                        assertNotNull(cells, "cycle " + cycle + ": key " + k + " lost its entry");
                        long rawNow = cells.getVolatile(RAW_CELL);
                        long budgetNow = new PeriodBudget(cells, BUDGET_AT, ResetPeriod.NEVER).snapshot(NOW).used();
                        for (long[] counter : List.of(new long[] {rawNow, raw[k]}, new long[] {budgetNow, budget[k]})) {
                            long value = counter[0];
                            long low = counter[1] + acked[k];
                            long high = low + THREADS;
                            checked++;
                            if (value < low) {
                                lost++;
                                failures.add("cycle " + cycle + " key " + k + ": " + value + " < acknowledged " + low);
                            } else if (value > high) {
                                overInFlight++;
                                failures.add("cycle " + cycle + " key " + k + ": " + value + " > acknowledged + in flight " + high);
                            }
                        }
                        summary.append(String.format(" key%d=%d/%d (+%d acked, +%d/+%d unacked)", k, rawNow, budgetNow,
                                acked[k], rawNow - raw[k] - acked[k], budgetNow - budget[k] - acked[k]));
                        raw[k] = rawNow;
                        budget[k] = budgetNow;
                    }
                }
                System.out.printf("kill cycle %2d: killed after %d acks (+%d ms), %d read; recovered;%s%n",
                        cycle, killAfter, delayMillis, ackCount, summary);
            }
        } finally {
            watchdog.shutdownNow();
        }
        try (ChronicleCounterStore store = ChronicleCounterStore.open(dir, CAPACITY)) {
            assertFalse(store.recovered(), "the last recovery was closed cleanly");
        }
        System.out.printf("kill cycles: %d, counters checked: %d, lost: %d, over in-flight: %d%n",
                CYCLES, checked, lost, overInFlight);
        assertEquals(List.of(), failures);
        assertEquals(0, lost);
        assertEquals(0, overInFlight);
    }

    private List<String> childCommand(Path dir) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(chronicleJvmFlags());
        command.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CounterCrashChild.class.getName(),
                dir.toString(), String.valueOf(CAPACITY), String.valueOf(THREADS)));
        return command;
    }

    /**
     * Chronicle's JVM flags for the child: the parent pom's {@code chronicle.jvm.flags} when surefire
     * passes it as a system property, otherwise the matching flags this JVM was started with.
     */
    private static List<String> chronicleJvmFlags() {
        String configured = System.getProperty("chronicle.jvm.flags");
        if (configured != null && !configured.isBlank()) {
            return Arrays.asList(configured.trim().split("\\s+"));
        }
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")
                        || a.startsWith("--enable-native-access") || a.startsWith("-Dchronicle."))
                .toList();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }
}
