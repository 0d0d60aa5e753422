package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.tls.ServerTlsFiles;
import dev.keymeter.tls.TestCertificates;
import dev.keymeter.tls.TlsProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener over TLS and mTLS, with certificates made in the test, called by the real CLI:
 * a client that trusts the CA is served; a plaintext client, one trusting another CA, or an expired
 * server certificate is refused with a message that says why. With mTLS a client without a
 * certificate, with one from another CA, or with an expired one is refused. A certificate replaced on
 * disk is served to new connections without a restart.
 */
class AdminTlsTest {

    @TempDir
    Path dir;
    private final List<ControlPlane> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(ControlPlane::close);
    }

    private ControlPlane start(ServerTlsFiles tls) throws IOException {
        ControlPlane cp = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("data" + started.size()))
                .withPort(0).withTls(tls));
        started.add(cp);
        return cp;
    }

    private static CliRun projects(ControlPlane cp, String... tlsArgs) {
        List<String> args = new ArrayList<>(List.of("list", "--addr=localhost:" + cp.port(),
                "--admin-key=" + cp.bootstrapKey().orElseThrow().token(), "--timeout=5s"));
        args.addAll(List.of(tlsArgs));
        return CliRun.run(new ProjectsCommand(), args.toArray(String[]::new));
    }

    @Test
    void tls_servesAClientTrustingTheCa_refusesPlaintextAndOtherCas() throws Exception {
        TestCertificates certs = new TestCertificates(dir.resolve("pki"));
        ControlPlane cp = start(certs.server("admin").server());
        assertEquals("TLS", cp.transport());

        CliRun trusted = projects(cp, "--ca-file=" + certs.ca());
        assertEquals(0, trusted.exitCode(), trusted.err());

        CliRun plaintext = projects(cp);
        assertEquals(CliErrors.UNREACHABLE, plaintext.exitCode(), plaintext.err());
        assertTrue(plaintext.err().contains("pass --ca-file PEM or --tls"), plaintext.err());

        CliRun otherCa = projects(cp, "--ca-file=" + certs.otherCa());
        assertEquals(CliErrors.UNREACHABLE, otherCa.exitCode(), otherCa.err());
        assertTrue(otherCa.err().toLowerCase().contains("certif"), otherCa.err());

        CliRun systemTrust = projects(cp, "--tls");
        assertEquals(CliErrors.UNREACHABLE, systemTrust.exitCode(), "a test CA is not in the JDK's trust store");
    }

    @Test
    void tls_expiredServerCertificate_isRefusedByTheClient() throws Exception {
        TestCertificates certs = new TestCertificates(dir.resolve("pki"));
        ControlPlane cp = start(certs.expired("admin-expired", true).server());
        CliRun run = projects(cp, "--ca-file=" + certs.ca());
        assertEquals(CliErrors.UNREACHABLE, run.exitCode(), run.err());
        assertTrue(run.err().contains("NotAfter"), "the reason names the end of validity: " + run.err());
    }

    @Test
    void mtls_refusesMissingForeignAndExpiredClientCertificates_servesTheRightOne() throws Exception {
        TestCertificates certs = new TestCertificates(dir.resolve("pki"));
        ControlPlane cp = start(certs.server("admin").server().withClientCa(certs.ca()));
        assertTrue(cp.transport().startsWith("mTLS"), cp.transport());
        TestCertificates.Pem good = certs.client("cli");
        TestCertificates.Pem foreign = certs.clientFromOtherCa("cli-foreign");
        TestCertificates.Pem expired = certs.expired("cli-expired", false);

        CliRun none = projects(cp, "--ca-file=" + certs.ca());
        assertEquals(CliErrors.UNREACHABLE, none.exitCode(), "no client certificate: " + none.err());
        CliRun wrongCa = projects(cp, "--ca-file=" + certs.ca(), "--client-cert=" + foreign.certificate(),
                "--client-key=" + foreign.privateKey());
        assertEquals(CliErrors.UNREACHABLE, wrongCa.exitCode(), "client certificate from another CA: " + wrongCa.err());
        CliRun stale = projects(cp, "--ca-file=" + certs.ca(), "--client-cert=" + expired.certificate(),
                "--client-key=" + expired.privateKey());
        assertEquals(CliErrors.UNREACHABLE, stale.exitCode(), "expired client certificate: " + stale.err());
        CliRun right = projects(cp, "--ca-file=" + certs.ca(), "--client-cert=" + good.certificate(),
                "--client-key=" + good.privateKey());
        assertEquals(0, right.exitCode(), right.err());

        CliRun half = projects(cp, "--ca-file=" + certs.ca(), "--client-cert=" + good.certificate());
        assertEquals(CliErrors.USAGE, half.exitCode());
        assertTrue(half.err().contains("--client-cert needs --client-key"), half.err());
    }

    @Test
    void certificateReplacedOnDisk_isServedWithoutARestart() throws Exception {
        TestCertificates certs = new TestCertificates(dir.resolve("pki"));
        TestCertificates.Pem served = certs.server("admin");
        ControlPlane cp = start(served.server());
        assertEquals("CN=admin", TlsProbe.servedSubject(cp.port()));

        TestCertificates.replace(served, certs.server("admin-rotated"));
        long deadline = System.nanoTime() + 20_000_000_000L;
        String subject = TlsProbe.servedSubject(cp.port());
        while (!subject.equals("CN=admin-rotated") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            subject = TlsProbe.servedSubject(cp.port());
        }
        assertEquals("CN=admin-rotated", subject, "the replaced certificate is served to new connections");
        CliRun after = projects(cp, "--ca-file=" + certs.ca());
        assertEquals(0, after.exitCode(), after.err());
    }

    @Test
    void missingCertificateFile_failsTheStart_namingTheFile() {
        Path missing = dir.resolve("nowhere.crt");
        IOException e = assertThrows(IOException.class,
                () -> start(new ServerTlsFiles(missing, dir.resolve("nowhere.key"), null)));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"),
                e.getMessage());
    }
}
