package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.tls.ClientTls;
import dev.keymeter.tls.ClientTlsFiles;
import dev.keymeter.tls.TestCertificates;
import dev.keymeter.tls.TestCertificates.Pem;
import dev.keymeter.tls.TlsProbe;
import dev.keymeter.proto.usage.v1.ReportRequest;
import dev.keymeter.proto.usage.v1.ReportResponse;
import dev.keymeter.proto.usage.v1.UsageServiceGrpc;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet with mTLS on every port, from the real jar: a {@code keymeter control-plane} whose admin
 * listener requires client certificates, the CLI calling it with one, a {@code keymeter sidecar}
 * following it over mTLS with a sidecar credential and serving ext_authz, usage reports (the client
 * certificate is their credential) and metrics over mTLS itself. Each listener refuses a
 * client without a certificate; a revocation made through the CLI reaches the sidecar over the
 * encrypted replication stream; a certificate replaced on disk is served without a restart.
 */
class TlsIT {

    private static final Pattern TOKEN = Pattern.compile("km[aus]_[0-9A-Za-z]{36}");
    private static final Pattern SIDECAR_TOKEN = Pattern.compile("kmc_[0-9A-Za-z]{36}");
    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");
    private static final Pattern ADMIN_LINE = Pattern.compile("admin API\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern AUTHZ_LINE = Pattern.compile("ext_authz\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern METRICS_LINE = Pattern.compile("metrics\\s+: 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path work;

    @Test
    void everyPortOverMtls_cliAndSidecarServed_clientsWithoutCertificatesRefused() throws Exception {
        TestCertificates certs = new TestCertificates(work.resolve("pki"));
        Pem cpCert = certs.server("control-plane");
        Pem sidecarCert = certs.server("sidecar");
        Pem cli = certs.client("operator");
        Pem sidecarClient = certs.client("sidecar-client");
        Pem envoy = certs.client("envoy");
        Pem prometheus = certs.client("prometheus");
        String ca = certs.ca().toString();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            RunningProcess cp = new RunningProcess(work, "control-plane", "--data-dir", "cp",
                    "--admin-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
                    "--tls-cert", cpCert.certificate().toString(), "--tls-key", cpCert.privateKey().toString(),
                    "--admin-client-ca", ca);
            open.add(cp);
            String banner = cp.readUntil("Press Ctrl-C");
            assertTrue(banner.contains("admin API") && banner.contains("mTLS (client certificates from " + ca + ")"),
                    banner);
            String adminKey = JarCli.find(TOKEN, banner);
            int adminPort = cp.port(ADMIN_LINE);
            String[] operator = {"--ca-file=" + ca, "--client-cert=" + cli.certificate(),
                "--client-key=" + cli.privateKey()};

            JarCli.run(work, adminPort, adminKey, with(operator, "projects", "create", "payments"));
            String created = JarCli.run(work, adminPort, adminKey,
                    with(operator, "keys", "create", "--project", "payments", "--name", "svc"));
            String token = JarCli.find(TOKEN, created);
            String keyId = JarCli.find(KEY_ID, created);
            ChildJvm.Result noCertificate = ChildJvm.runJar(work, List.of(), "projects", "list",
                    "--addr=127.0.0.1:" + adminPort, "--admin-key=" + adminKey, "--ca-file=" + ca, "--timeout=5s");
            assertEquals(6, noCertificate.exitCode(), noCertificate::describe);

            String sidecarToken = JarCli.find(SIDECAR_TOKEN,
                    JarCli.run(work, adminPort, adminKey, with(operator, "sidecars", "create", "edge-1")));
            RunningProcess sidecar = new RunningProcess(work, "sidecar", "--data-dir", "sc",
                    "--authz-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
                    "--control-plane", "127.0.0.1:" + adminPort, "--control-plane-key", sidecarToken,
                    "--control-plane-ca", ca, "--control-plane-client-cert", sidecarClient.certificate().toString(),
                    "--control-plane-client-key", sidecarClient.privateKey().toString(),
                    "--tls-cert", sidecarCert.certificate().toString(), "--tls-key", sidecarCert.privateKey().toString(),
                    "--authz-client-ca", ca, "--metrics-client-ca", ca);
            open.add(sidecar);
            String sidecarBanner = sidecar.readUntil("Press Ctrl-C");
            assertTrue(sidecarBanner.contains("control plane  : 127.0.0.1:" + adminPort + " (TLS)"), sidecarBanner);
            int authzPort = sidecar.port(AUTHZ_LINE);
            int metricsPort = sidecar.port(METRICS_LINE);

            try (ClientTls envoyTls = ClientTls.load(new ClientTlsFiles(certs.ca(), envoy.certificate(),
                    envoy.privateKey()));
                    EnvoyCheck check = new EnvoyCheck(authzPort, envoyTls.credentials());
                    ClientTls anonymousTls = ClientTls.load(new ClientTlsFiles(certs.ca(), null, null));
                    EnvoyCheck anonymous = new EnvoyCheck(authzPort, anonymousTls.credentials());
                    EnvoyCheck plaintext = new EnvoyCheck(authzPort)) {
                check.awaitServing(); // health over mTLS: SERVING once the replica has loaded
                assertEquals(200, check.awaitStatus(token, "POST", "/v1/chat/completions", 200),
                        "a key created over mTLS reaches the sidecar over the mTLS replication stream");
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                        () -> anonymous.check(token, "POST", "/v1/chat/completions"));
                assertEquals(io.grpc.Status.Code.UNAVAILABLE, refused.getStatus().getCode());
                assertThrows(StatusRuntimeException.class, () -> plaintext.check(token, "POST", "/v1/chat/completions"));

                // The usage port takes the verified client certificate as its credential: no ingest token.
                ReportResponse report = UsageServiceGrpc.newBlockingStub(check.channel())
                        .withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
                        .report(ReportRequest.newBuilder().setRequestId("tls-report-1").setKeyId(keyId)
                                .setInputTokens(100).setOutputTokens(20).build());
                assertTrue(report.getCounted(), "a report over mTLS without an ingest token is charged");

                HttpResponse<String> scrape = https(certs, prometheus).send(
                        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + metricsPort + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, scrape.statusCode());
                assertTrue(scrape.body().contains("keymeter_"), "a Prometheus scrape over mTLS");
                assertThrows(IOException.class, () -> https(certs, null).send(
                        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + metricsPort + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()), "a scrape without a client certificate");

                JarCli.run(work, adminPort, adminKey, with(operator, "keys", "revoke", keyId, "--yes"));
                assertEquals(401, check.awaitStatus(token, "POST", "/v1/chat/completions", 401));

                TestCertificates.replace(sidecarCert, certs.server("sidecar-rotated"));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                String subject = TlsProbe.servedSubject(authzPort);
                while (!"CN=sidecar-rotated".equals(subject) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    subject = TlsProbe.servedSubject(authzPort);
                }
                assertEquals("CN=sidecar-rotated", subject, "ext_authz serves the replaced certificate");
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    private static String[] with(String[] tls, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(tls));
        return all.toArray(String[]::new);
    }

    /** An HTTPS client trusting the test CA, presenting {@code client} when given. */
    private static HttpClient https(TestCertificates certs, Pem client) throws Exception {
        return HttpClient.newBuilder().sslContext(certs.clientContext(client)).connectTimeout(Duration.ofSeconds(5)).build();
    }
}
