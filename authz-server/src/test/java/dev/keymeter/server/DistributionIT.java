package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user gets it: keymeter-VERSION.tar.gz unpacked, {@code bin/keymeter version},
 * {@code bin/keymeter serve} with the shipped example route and price tables until {@code /readyz}
 * says 200, {@code bin/keymeter keys list} against it, and a clean stop on SIGTERM sent to the
 * launcher's process id (the launcher execs, so that id is the JVM's).
 */
class DistributionIT {

    private static final Pattern TOKEN = Pattern.compile("kma_[0-9A-Za-z]{36}");
    private static final Pattern ADMIN_LINE = Pattern.compile("admin API\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern METRICS_LINE = Pattern.compile("metrics\\s+: 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path work;

    @Test
    void launcher_version_printsTheBuildsVersion() throws Exception {
        Distribution dist = Distribution.unpack(work);
        ChildJvm.Result r = dist.run(work, Map.of(), "version");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("keymeter " + Distribution.version(), r.stdout().strip());
    }

    @Test
    void launcher_serveKeysListSigterm_readyListsAndStopsCleanly() throws Exception {
        Distribution dist = Distribution.unpack(work);
        Path config = dist.home.resolve("config");
        try (RunningProcess serve = dist.start(work, work.resolve("serve.err"), "serve",
                "--admin-addr", "127.0.0.1:0", "--authz-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
                "--route-table", config.resolve("routes.example.json").toString(),
                "--prices", config.resolve("prices.example.json").toString())) {
            String banner = serve.readUntil("Press Ctrl-C");
            assertTrue(banner.contains("runtime        : ") && banner.contains("(tuned)"), banner);
            assertTrue(serve.process.info().command().orElseThrow().endsWith("/java"),
                    "the launcher execs java: " + serve.process.info().command());
            awaitReady(serve.port(METRICS_LINE));

            String adminKey = JarCli.find(TOKEN, banner);
            ChildJvm.Result list = dist.run(work, Map.of("KEYMETER_ADMIN_KEY", adminKey),
                    "keys", "list", "--addr", "127.0.0.1:" + serve.port(ADMIN_LINE));
            assertEquals(0, list.exitCode(), list::describe);
            assertTrue(list.stdout().contains("bootstrap"), list::describe);

            assertEquals(143, serve.terminate(), "SIGTERM ends the JVM with 128+15 after the shutdown hook");
            assertTrue(serve.lines.contains("keymeter: stopped"), String.join("\n", serve.lines));
            String err = Files.readString(work.resolve("serve.err"));
            assertTrue(err.lines().noneMatch(l -> l.contains("Exception")), err);
        }
    }

    /** Polls /readyz until it answers 200; fails after 60 s. */
    static void awaitReady(int metricsPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/readyz"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plusSeconds(60);
        int status = 0;
        while (Instant.now().isBefore(deadline)) {
            status = http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("/readyz still answered " + status + " after 60 s");
    }
}
