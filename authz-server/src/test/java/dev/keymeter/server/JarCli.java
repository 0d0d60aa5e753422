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

    /** A sidecar credential's token, as {@code sidecars create} prints it. */
    static final Pattern SIDECAR_TOKEN = Pattern.compile("kmc_[0-9A-Za-z]{36}");

    private JarCli() {
    }

    /** {@code keymeter sidecars create NAME}: a new sidecar credential's token. */
    static String sidecarCredential(Path work, int adminPort, String adminKey, String name) throws Exception {
        return find(SIDECAR_TOKEN, run(work, adminPort, adminKey, "sidecars", "create", name));
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
