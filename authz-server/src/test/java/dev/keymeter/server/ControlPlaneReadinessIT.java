package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.store.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keymeter control-plane} on a PostgreSQL server of its own: {@code /readyz} answers 200 while
 * the database answers, 503 after the database is killed, and 200 again once it is back, without a
 * restart of the control plane; {@code keymeter_store_up} on {@code /metrics} says the same.
 */
class ControlPlaneReadinessIT {

    private static final Pattern METRICS_LINE = Pattern.compile("metrics\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path work;

    @Test
    void readyz_followsTheDatabase_andRecoversByItself() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            String jdbc = pg.createDatabase();
            String store = "postgresql://" + PostgresServer.USER + "@127.0.0.1:" + pg.port() + "/"
                    + jdbc.substring(jdbc.lastIndexOf('/') + 1, jdbc.indexOf('?'));
            try (RunningProcess cp = new RunningProcess(work, "control-plane", "--data-dir", "cp",
                    "--admin-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--store", store)) {
                String banner = cp.readUntil("Press Ctrl-C");
                assertTrue(banner.contains("/readyz: 503 while the store does not answer"), banner);
                int port = cp.port(METRICS_LINE);

                assertEquals(200, get(port, "/readyz").statusCode());
                assertTrue(get(port, "/metrics").body().contains("keymeter_store_up 1.0"));

                pg.kill();
                long killed = System.nanoTime();
                assertEquals(503, awaitStatus(port, 503), "/readyz once the database is gone");
                long notReady = System.nanoTime();
                assertTrue(get(port, "/metrics").body().contains("keymeter_store_up 0.0"));
                assertEquals(200, get(port, "/healthz").statusCode(), "the process itself is alive");

                pg.restart();
                long back = System.nanoTime();
                assertEquals(200, awaitStatus(port, 200), "/readyz once the database is back");
                System.out.printf(Locale.ROOT, "control-plane /readyz: 503 %.1f s after the database was killed,"
                        + " 200 %.1f s after it was back%n", (notReady - killed) / 1e9, (System.nanoTime() - back) / 1e9);
            }
        }
    }

    private static int awaitStatus(int port, int wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status;
        do {
            status = get(port, "/readyz").statusCode();
            if (status == wanted) {
                return status;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return status;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
