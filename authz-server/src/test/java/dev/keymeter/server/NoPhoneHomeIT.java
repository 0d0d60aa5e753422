package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.chronicle.PersistedMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chronicle phones home when it creates or recovers a map (design §5) unless told not to, and stays
 * silent whenever JUnit is on the classpath, so only a child JVM running the shipped jar proves
 * anything. Every proxied connection the child makes lands on a {@link ConnectionTrap}; the control
 * case shows the trap does see a child's URL connection.
 */
class NoPhoneHomeIT {

    @TempDir Path dir;

    @Test
    void keymeterJar_creatingAndRecoveringMaps_connectsNowhere() throws Exception {
        Path data = dir.resolve("data");
        Path home = Files.createDirectories(dir.resolve("home"));
        try (ConnectionTrap trap = ConnectionTrap.open()) {
            List<String> jvm = new ArrayList<>(trap.proxyFlags());
            // Chronicle's analytics keeps a client id under user.home: none may appear.
            jvm.add("-Duser.home=" + home);

            doctor(jvm, data);
            doctor(jvm, data);
            leaveScratchMapAsIfKilled(data);
            ChildJvm.Result recovery = doctor(jvm, data);
            assertTrue(recovery.stdout().contains("recovered it first"), recovery.describe());

            assertEquals(0, trap.connectionsSoFar(), "connections out of keymeter.jar");
        }
        // (JNA does leave an empty ~/.cache/JNA/temp: not ours to police here.)
        assertEquals(List.of(), chronicleFiles(home), "Chronicle analytics files in the child's home");
    }

    @Test
    void connectionTrap_childOpeningAUrl_seesTheConnection() throws Exception {
        try (ConnectionTrap trap = ConnectionTrap.open()) {
            ChildJvm.Result control = ChildJvm.runTestClass(
                    dir, trap.proxyFlags(), ConnectOut.class, "https://phone-home.invalid/collect");

            assertEquals(0, control.exitCode(), control.describe());
            assertTrue(trap.connectionsSoFar() > 0, "the trap missed a connection:\n" + control.describe());
        }
    }

    @Test
    void keymeterJar_containsNeitherChronicleAnalyticsNorJUnit() throws IOException {
        List<String> banned = new ArrayList<>();
        try (JarFile jar = new JarFile(ChildJvm.jar().toFile())) {
            for (JarEntry entry : (Iterable<JarEntry>) jar.stream()::iterator) {
                String name = entry.getName();
                if (name.startsWith("net/openhft/chronicle/analytics/") || name.startsWith("org/junit/")) {
                    banned.add(name);
                }
            }
        }
        assertEquals(List.of(), banned);
    }

    private static ChildJvm.Result doctor(List<String> jvm, Path data) throws Exception {
        ChildJvm.Result run = ChildJvm.runJar(data.getParent(), jvm, "doctor", "--data-dir", data.toString());
        assertEquals(0, run.exitCode(), run.describe());
        return run;
    }

    /** What a doctor killed with its scratch map open leaves: the map file and its marker. */
    private static void leaveScratchMapAsIfKilled(Path data) throws IOException {
        Path file = data.resolve(DoctorCommand.SCRATCH_FILE);
        try (PersistedMap<byte[], DoctorCommand.ScratchValue> scratch =
                ChronicleFiles.open(DoctorCommand.scratchLayout(), file)) {
            DoctorCommand.ScratchValue value = Values.newHeapInstance(DoctorCommand.ScratchValue.class);
            value.setNumber(1);
            scratch.map().put(new byte[32], value);
        }
        Files.writeString(ChronicleFiles.markerFor(file), "pid 1\n");
    }

    /** Chronicle's analytics writes {@code ~/.chronicle.analytics.client.id} and {@code .last}. */
    private static List<Path> chronicleFiles(Path home) throws IOException {
        try (Stream<Path> files = Files.walk(home)) {
            return files.filter(f -> f.getFileName().toString().startsWith(".chronicle")).toList();
        }
    }
}
