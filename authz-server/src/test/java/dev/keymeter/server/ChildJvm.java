package dev.keymeter.server;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a JVM as a child process with this JDK's {@code java}, the way an operator would: the real
 * shaded jar ({@code java -jar keymeter.jar ...}, path from failsafe's {@code keymeter.jar}
 * property) or a class from the test classes. JUnit is never on the child's classpath.
 */
final class ChildJvm {

    private static final long TIMEOUT_SECONDS = 120;

    private ChildJvm() {}

    /** What a child printed and how it ended. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        List<String> stdoutLines() {
            return stdout.lines().toList();
        }

        /** For assertion messages: everything needed to see what went wrong. */
        String describe() {
            return String.join(" ", command) + "\nexit " + exitCode + "\n--- stdout\n" + stdout
                    + "--- stderr\n" + stderr;
        }
    }

    static Path jar() {
        String jar = requireNonNull(System.getProperty("keymeter.jar"), "keymeter.jar (set by failsafe)");
        return Path.of(jar);
    }

    /** {@code java <jvmOptions> -jar keymeter.jar <args>}, in {@code workDir}. */
    static Result runJar(Path workDir, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return run(workDir, command);
    }

    /** {@code java <jvmOptions> -cp <test classes> <mainClass> <args>}: for test-only programs. */
    static Result runTestClass(Path workDir, List<String> jvmOptions, Class<?> mainClass,
            String... args) throws Exception {
        Path testClasses = Path.of(mainClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(jvmOptions);
        command.addAll(List.of("-cp", testClasses.toString(), mainClass.getName()));
        command.addAll(List.of(args));
        return run(workDir, command);
    }

    private static Result run(Path workDir, List<String> javaArgs)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaArgs);
        Path stdout = Files.createTempFile(workDir, "stdout-", ".txt");
        Path stderr = Files.createTempFile(workDir, "stderr-", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        // The child gets exactly the flags on its command line: none slipped in through the launcher.
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        Process process = builder.start();
        process.getOutputStream().close(); // no stdin, as in CI
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s: " + command);
        }
        return new Result(command, process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }
}
