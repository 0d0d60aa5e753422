package dev.keymeter.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.tls.TestCertificates;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over HTTPS (the control plane's --tls-cert) the session cookie is Secure, and still HttpOnly and Strict. */
class ConsoleTlsTest {

    @TempDir
    Path dir;

    @Test
    void signIn_overHttps_setsASecureCookieThatActsForTheKey() throws Exception {
        TestCertificates certs = new TestCertificates(dir.resolve("pki"));
        try (ControlPlane cp = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("data")).withPort(0)
                .withTls(certs.server("server").server()).withConsoleAddress(new InetSocketAddress("127.0.0.1", 0)))) {
            String origin = "https://127.0.0.1:" + cp.consolePort();
            HttpClient https = HttpClient.newBuilder().sslContext(certs.clientContext(null))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<String> signIn = https.send(HttpRequest.newBuilder(URI.create(origin + "/console/sign-in"))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", origin)
                    .POST(HttpRequest.BodyPublishers.ofString("key=" + URLEncoder.encode(
                            cp.bootstrapKey().orElseThrow().token(), StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(303, signIn.statusCode(), signIn.body());
            String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(setCookie.endsWith("; Path=/; HttpOnly; SameSite=Strict; Secure"), setCookie);
            HttpResponse<String> whoami = https.send(HttpRequest.newBuilder(URI.create(origin + "/v1/whoami"))
                    .header("Cookie", setCookie.substring(0, setCookie.indexOf(';'))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, whoami.statusCode(), whoami.body());
            assertTrue(whoami.body().contains(cp.bootstrapKey().orElseThrow().key().id()), whoami.body());
        }
    }
}
