package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A long-running {@code java -jar keymeter.jar ...} child whose stdout is read line by line. */
final class RunningProcess implements AutoCloseable {

    final Process process;
    final List<String> lines = new ArrayList<>();
    private final BufferedReader out;

    RunningProcess(Path workDir, String... args) throws IOException {
        this(workDir, null, args);
    }

    /** As above, with stderr written to {@code stderrFile} ({@code null}: discarded). */
    RunningProcess(Path workDir, Path stderrFile, String... args) throws IOException {
        this(workDir, stderrFile, java.util.Map.of(), jarCommand(args));
    }

    /** Any command (the distribution's bin/keymeter), with these variables added to its environment. */
    RunningProcess(Path workDir, Path stderrFile, java.util.Map<String, String> env, List<String> command)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectError(stderrFile == null ? ProcessBuilder.Redirect.DISCARD
                        : ProcessBuilder.Redirect.to(stderrFile.toFile()));
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("KEYMETER_DATA_DIR");
        // The HTTP listener's default port (9193) is one for the machine: tests running at once would collide.
        pb.environment().put("KEYMETER_CONSOLE_LISTEN", "127.0.0.1:0");
        pb.environment().putAll(env);
        process = pb.start();
        process.getOutputStream().close();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    private static List<String> jarCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", ChildJvm.jar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** Reads stdout until a line contains {@code marker}; returns everything read so far. */
    String readUntil(String marker) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            lines.add(line);
            if (line.contains(marker)) {
                return String.join("\n", lines);
            }
        }
        throw new AssertionError("the process ended before printing '" + marker + "':\n" + String.join("\n", lines));
    }

    /** The port printed on the banner line that matches {@code line} (one capture group). */
    int port(Pattern line) {
        for (String l : lines) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no line matching " + line + " in:\n" + String.join("\n", lines));
    }

    /** SIGTERM, then the rest of stdout and the exit code. */
    int terminate() throws Exception {
        process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of stdout
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "did not stop within 30 s of SIGTERM");
        String line;
        while ((line = out.readLine()) != null) {
            lines.add(line);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
