package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar keymeter.jar doctor} with no JVM flags: passing proves the manifest carries
 * what Chronicle needs on this JDK (the build's JDK; run the build on 25 to check 25).
 */
class DoctorIT {

    private static final List<String> CHECKS =
            List.of("java", "jdk.compiler", "data dir", "tmp dir", "scratch map", "analytics");

    /** The JDK's own one-time warning on Java 24+ without sun-misc-unsafe-memory-access=allow. */
    private static final Pattern JDK_UNSAFE_WARNING = Pattern.compile(
            "WARNING: (A terminally deprecated method in sun\\.misc\\.Unsafe|sun\\.misc\\.Unsafe::"
                    + "|Please consider reporting this to the maintainers).*");

    @TempDir Path dir;

    @Test
    void doctor_withoutJvmFlags_passesEveryCheckQuietly() throws Exception {
        Path data = dir.resolve("data");

        ChildJvm.Result run = ChildJvm.runJar(dir, List.of(), "doctor", "--data-dir", data.toString());

        assertEquals(0, run.exitCode(), run.describe());
        List<String> lines = run.stdoutLines();
        assertEquals(CHECKS.size(), lines.size(), run.describe());
        for (int i = 0; i < CHECKS.size(); i++) {
            assertTrue(lines.get(i).startsWith(String.format("OK   %-12s ", CHECKS.get(i))),
                    run.describe());
        }
        // No slf4j "no providers" notice, no Chronicle banner, no warning about missing flags.
        List<String> stderr =
                run.stderr().lines().filter(line -> !JDK_UNSAFE_WARNING.matcher(line).matches()).toList();
        assertEquals(List.of(), stderr, run.describe());
        assertEquals(List.of(), listing(data), "the scratch map and its marker are deleted");
    }

    @Test
    void doctor_onRuntimeWithoutJdkCompiler_failsNamingItAndExits1() throws Exception {
        // A JRE, simulated: the platform modules without jdk.compiler.
        List<String> jre = List.of("--limit-modules", "java.se,jdk.unsupported");

        ChildJvm.Result run = ChildJvm.runJar(dir, jre, "doctor", "--data-dir", dir.resolve("data").toString());

        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("FAIL jdk.compiler"), run.describe());
        assertTrue(run.stderr().contains("doctor: failed: jdk.compiler, scratch map"), run.describe());
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
