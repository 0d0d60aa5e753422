package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built keymeter-VERSION.tar.gz, unpacked with tar into a directory, and its launcher run. */
final class Distribution {

    /** A small heap for tests on a shared machine: overrides the launcher's 1 GB default. */
    static final Map<String, String> SMALL_HEAP = Map.of("KEYMETER_JAVA_OPTS", "-Xms64m -Xmx256m -XX:-AlwaysPreTouch");

    final Path home;

    private Distribution(Path home) {
        this.home = home;
    }

    /** Unpacks the tarball the build made (failsafe's keymeter.dist) into {@code dir}. */
    static Distribution unpack(Path dir) throws Exception {
        Path tarball = Path.of(System.getProperty("keymeter.dist"));
        assertTrue(Files.isRegularFile(tarball), "run `mvn package` first: no " + tarball);
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, tar.waitFor(), out);
        return new Distribution(dir.resolve("keymeter-" + version()));
    }

    static String version() {
        return System.getProperty("keymeter.version");
    }

    Path launcher() {
        return home.resolve("bin/keymeter");
    }

    /** {@code bin/keymeter ARGS} to its end: exit code and stdout (stderr appended). */
    ChildJvm.Result run(Path workDir, Map<String, String> env, String... args) throws Exception {
        return runWithStdin(workDir, env, "", args);
    }

    /** As above, with {@code stdin} written to its standard input. */
    ChildJvm.Result runWithStdin(Path workDir, Map<String, String> env, String stdin, String... args)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().putAll(SMALL_HEAP);
        pb.environment().putAll(env);
        Path err = Files.createTempFile(workDir, "launcher", ".err");
        Process p = pb.redirectError(err.toFile()).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bin/keymeter did not end within 60 s");
        return new ChildJvm.Result(command, p.exitValue(), out, Files.readString(err));
    }

    /** A long-running {@code bin/keymeter ARGS} (serve, sidecar), stderr into {@code stderrFile}. */
    RunningProcess start(Path workDir, Path stderrFile, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(launcher().toString()));
        command.addAll(List.of(args));
        return new RunningProcess(workDir, stderrFile, SMALL_HEAP, command);
    }
}
