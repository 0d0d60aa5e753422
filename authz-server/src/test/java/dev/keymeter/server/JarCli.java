package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The CLI of the real jar against a running control plane, and reading what processes print. */
final class JarCli {

    private JarCli() {
    }

    /** Runs {@code keymeter ARGS --addr=127.0.0.1:PORT --admin-key=KEY}; fails the test unless it exits 0. */
    static String run(Path work, int adminPort, String adminKey, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--addr=127.0.0.1:" + adminPort);
        all.add("--admin-key=" + adminKey);
        ChildJvm.Result r = ChildJvm.runJar(work, List.of(), all.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::describe);
        return r.stdout();
    }

    /** The first match of {@code p} in {@code text}; fails the test when there is none. */
    static String find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), () -> "no " + p + " in:\n" + text);
        return m.group();
    }
}
