package dev.keymeter.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protos hold the lint rules of {@code proto/buf.yaml}, checked with {@code buf} itself (pinned in
 * {@code src/test/node/package-lock.json}; {@code .ci/test} runs {@code npm ci}, and this runs it
 * offline from npm's cache when {@code node_modules} is missing). Skipped only without {@code npm}.
 */
class BufLintTest {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path NODE = MODULE.resolve("src/test/node");
    private static final Path BUF = NODE.resolve("node_modules/.bin/buf");

    @TempDir
    Path dir;

    @BeforeAll
    static void installBuf() throws Exception {
        Assumptions.assumeTrue(onPath("npm") && onPath("node"), "npm is not installed: buf lint needs Node.js and npm");
        if (!Files.isExecutable(BUF)) {
            Result ci = run(NODE, List.of("npm", "ci", "--offline", "--no-audit", "--no-fund"));
            assertEquals(0, ci.exit(), "npm ci failed (run `bash .ci/test` once online to fill npm's cache):\n" + ci.output());
        }
    }

    @Test
    void bufLint_protos_passTheRulesOfBufYaml() throws Exception {
        Result lint = run(MODULE, List.of(BUF.toString(), "lint"));
        assertEquals(0, lint.exit(), "buf lint:\n" + lint.output());
    }

    @Test
    void bufLint_aProtoBreakingARule_fails() throws Exception {
        Files.copy(MODULE.resolve("buf.yaml"), dir.resolve("buf.yaml"));
        Path proto = dir.resolve("src/main/proto/keymeter/bad/v1/bad.proto");
        Files.createDirectories(proto.getParent());
        Files.writeString(proto, """
                syntax = "proto3";
                package keymeter.bad.v1;
                message bad_name { string Field = 1; }
                """);
        Result lint = run(dir, List.of(BUF.toString(), "lint"));
        assertNotEquals(0, lint.exit(), "buf lint let a bad proto pass:\n" + lint.output());
        assertTrue(lint.output().contains("bad_name"), lint.output());
    }

    private record Result(int exit, String output) {
    }

    private static Result run(Path workDir, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("keymeter-buf", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 300 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
