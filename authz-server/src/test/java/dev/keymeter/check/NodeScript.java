package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a script of {@code src/test/node} with the machine's {@code node}: the clients there (pinned in
 * its package-lock.json) are installed by {@code npm ci}, which {@code .ci/test} runs, and which this
 * runs offline from npm's cache when {@code node_modules} is missing. A test is skipped only when
 * {@code node} itself is not installed.
 */
final class NodeScript {

    static final Path DIR = Path.of("src", "test", "node").toAbsolutePath();

    private NodeScript() {
    }

    /** Runs {@code node script args…} and returns each line it printed as a JSON object. */
    static List<JsonObject> run(String script, String... args) throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath("node"), "node is not installed: the OpenAI SDK conformance test needs Node.js 20 or later");
        installIfMissing();
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        String out = exec(command, 120);
        List<JsonObject> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JsonParser.parseString(line).getAsJsonObject());
            }
        }
        return lines;
    }

    private static void installIfMissing() throws IOException, InterruptedException {
        if (Files.isDirectory(DIR.resolve("node_modules"))) {
            return;
        }
        exec(List.of("npm", "ci", "--offline", "--no-audit", "--no-fund"), 300);
        assertTrue(Files.isDirectory(DIR.resolve("node_modules")), "npm ci installed nothing in " + DIR);
    }

    private static String exec(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("keymeter-node", ".out");
        Path err = Files.createTempFile("keymeter-node", ".err");
        try {
            Process p = new ProcessBuilder(command).directory(DIR.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            String printed = Files.readString(out, StandardCharsets.UTF_8);
            String errors = Files.readString(err, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed (run `bash .ci/test` once "
                    + "online to fill npm's cache):\n" + printed + errors);
            return printed;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
