package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.tls.ClientTls;
import dev.keymeter.tls.ClientTlsFiles;
import dev.keymeter.tls.TestCertificates;
import dev.keymeter.tls.TestCertificates.Pem;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar's two listeners with mTLS, each against every kind of client: no certificate, one from
 * another CA, an expired one (all refused in the handshake) and the right one (served).
 */
class SidecarTlsTest {

    @TempDir
    Path dir;
    ControlPlane controlPlane;
    Sidecar sidecar;
    TestCertificates certs;

    @BeforeEach
    void start() throws Exception {
        certs = new TestCertificates(dir.resolve("pki"));
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
        var server = certs.server("sidecar").server().withClientCa(certs.ca());
        sidecar = Sidecar.start(SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0).withTls(server, server),
                controlPlane.inProcessChannel(), "");
    }

    @AfterEach
    void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
        controlPlane.close();
    }

    @Test
    void extAuthzListener_servesOnlyTheRightClientCertificate() throws Exception {
        assertTrue(sidecar.transport().startsWith("mTLS"), sidecar.transport());
        assertEquals(Status.Code.OK, health(certs.client("envoy")));
        assertEquals(Status.Code.UNAVAILABLE, health(null), "no client certificate");
        assertEquals(Status.Code.UNAVAILABLE, health(certs.clientFromOtherCa("foreign")), "another CA");
        assertEquals(Status.Code.UNAVAILABLE, health(certs.expired("stale", false)), "expired");
    }

    @Test
    void metricsListener_servesOnlyTheRightClientCertificate() throws Exception {
        assertTrue(sidecar.metricsTransport().startsWith("mTLS"), sidecar.metricsTransport());
        assertEquals(200, scrape(certs.client("prometheus")));
        assertThrows(IOException.class, () -> scrape(null), "no client certificate");
        assertThrows(IOException.class, () -> scrape(certs.clientFromOtherCa("foreign")), "another CA");
        assertThrows(IOException.class, () -> scrape(certs.expired("stale", false)), "expired");
    }

    /** The gRPC status of a health check over mTLS presenting {@code client} (none when null). */
    private Status.Code health(Pem client) throws IOException {
        try (ClientTls tls = ClientTls.load(new ClientTlsFiles(certs.ca(), client == null ? null : client.certificate(),
                client == null ? null : client.privateKey()))) {
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", sidecar.port(), tls.credentials())
                    .build();
            try {
                HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance());
                return Status.Code.OK;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode();
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private int scrape(Pem client) throws Exception {
        SSLContext context = certs.clientContext(client);
        HttpClient http = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + sidecar.metricsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
