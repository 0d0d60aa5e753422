package dev.keymeter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that open a connection and never finish their request (slowloris) must not take the
 * listener's threads from everyone else: more stalled connections than it has threads, then a
 * normal request still gets its answer.
 */
class HttpFrontSlowClientTest {

    @TempDir
    Path dir;

    @Test
    void stalledRequests_moreThanTheThreads_doNotStopOthersBeingAnswered() throws Exception {
        try (HttpHarness h = new HttpHarness(dir)) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < HttpFront.THREADS * 3; i++) {
                    Socket s = new Socket("127.0.0.1", h.controlPlane.consolePort());
                    OutputStream out = s.getOutputStream();
                    // Headers never end; the body it announces never comes.
                    out.write(("POST /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                            + (i % 2 == 0 ? "\r\n{" : "X-Slow: ")).getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    stalled.add(s);
                }
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                long start = System.nanoTime();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + h.controlPlane.consolePort() + "/v1/keys"))
                        .header("Authorization", "Bearer " + h.adminToken)
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(200, r.statusCode(), r::body);
                assertTrue(millis < 20_000, "answered after " + millis + " ms: stalled requests are closed after "
                        + SlowClients.REQUEST_SECONDS + " s");
                System.out.println("HttpFrontSlowClientTest: answered beside " + stalled.size()
                        + " stalled connections in " + millis + " ms");
            } finally {
                for (Socket s : stalled) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing is best effort
                    }
                }
            }
        }
    }
}
