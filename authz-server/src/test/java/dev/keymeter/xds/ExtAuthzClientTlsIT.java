package dev.keymeter.xds;

import dev.keymeter.tls.ClientTls;
import dev.keymeter.tls.ClientTlsFiles;
import dev.keymeter.tls.ServerTlsFiles;
import dev.keymeter.tls.TestCertificates;
import java.io.IOException;

/**
 * Every case of {@link ExtAuthzClientTest}, with the sidecar's ext_authz listener on mTLS: grpc-java's
 * ext_authz client reaches it only with a certificate from the CA the sidecar trusts, so each allowed
 * and denied call here went over an authenticated, encrypted connection. An integration test only so
 * that it runs in a JVM of its own: grpc-java reads its xDS bootstrap once per JVM, and this one's
 * asks for TLS.
 */
class ExtAuthzClientTlsIT extends ExtAuthzClientTest {

    @Override
    ServerTlsFiles sidecarTls() throws IOException {
        TestCertificates certs = new TestCertificates(dir.resolve("pki"));
        TestCertificates.Pem envoy = certs.client("envoy");
        envoyTls = ClientTls.load(new ClientTlsFiles(certs.ca(), envoy.certificate(), envoy.privateKey()));
        return certs.server("sidecar").server().withClientCa(certs.ca());
    }
}
