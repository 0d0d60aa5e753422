package dev.keymeter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.tls.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With --tls-cert the listener is HTTPS with the admin certificate, and asks for no client certificate. */
class HttpFrontTlsTest {

    @TempDir
    Path dir;

    @Test
    void tlsControlPlane_servesHttpsWithoutClientCertificates_andRefusesPlainHttp() throws Exception {
        TestCertificates certs = new TestCertificates(dir.resolve("pki"));
        // mTLS on gRPC: the HTTP listener still takes browsers, which sign in with a key instead.
        var tls = certs.server("server").server().withClientCa(certs.ca());
        try (ControlPlane cp = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("data")).withPort(0)
                .withTls(tls).withConsoleAddress(new InetSocketAddress("127.0.0.1", 0)))) {
            String token = cp.bootstrapKey().orElseThrow().token();
            assertEquals("https://127.0.0.1:" + cp.consolePort() + "/console/", cp.consoleUrl().orElseThrow());
            HttpClient https = HttpClient.newBuilder().sslContext(certs.clientContext(null))
                    .connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> me = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + cp.consolePort() + "/v1/whoami"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, me.statusCode(), me::body);
            assertEquals(cp.bootstrapKey().orElseThrow().key().id(),
                    JsonParser.parseString(me.body()).getAsJsonObject().get("keyId").getAsString());
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpRequest overHttp = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.consolePort() + "/v1/whoami"))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build();
            assertThrows(IOException.class, () -> plain.send(overHttp, HttpResponse.BodyHandlers.ofString()),
                    "no plaintext answer from a TLS listener");
            assertTrue(token.startsWith("kma_"));
        }
    }
}
