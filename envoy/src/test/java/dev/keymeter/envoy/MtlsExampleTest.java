package dev.keymeter.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import org.junit.jupiter.api.Test;

/**
 * The mTLS example ({@code examples/mtls.yaml}) parses strictly, and its cluster presents a client
 * certificate, checks keymeter's against a CA and the SNI name, and speaks HTTP/2 (gRPC).
 */
class MtlsExampleTest {

    private static final String FILE = "examples/mtls.yaml";

    @Test
    void keymeterCluster_presentsAClientCertificate_andVerifiesTheSidecars() throws InvalidProtocolBufferException {
        Bootstrap bootstrap = EnvoyConfigs.load(FILE);
        Cluster cluster = EnvoyConfigs.cluster(bootstrap, "keymeter_authz");

        assertEquals("envoy.transport_sockets.tls", cluster.getTransportSocket().getName());
        UpstreamTlsContext tls = cluster.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
        CommonTlsContext common = tls.getCommonTlsContext();
        assertEquals(1, common.getTlsCertificatesCount(), "Envoy's client certificate for keymeter's mTLS");
        assertTrue(common.getTlsCertificates(0).getPrivateKey().hasFilename());
        assertTrue(common.getValidationContext().getTrustedCa().hasFilename(), "keymeter's CA");
        assertEquals(tls.getSni(), common.getValidationContext().getMatchTypedSubjectAltNames(0).getMatcher().getExact(),
                "the SAN checked is the host dialled");
        assertEquals("h2", common.getAlpnProtocols(0));
        assertTrue(cluster.getTypedExtensionProtocolOptionsMap()
                .containsKey("envoy.extensions.upstreams.http.v3.HttpProtocolOptions"), "HTTP/2 for gRPC");
    }

    @Test
    void aMisspelledTlsField_failsTheParse() {
        String broken = EnvoyConfigs.read(FILE).replace("trusted_ca:", "trusted_cas:");
        assertThrows(InvalidProtocolBufferException.class, () -> EnvoyConfigs.parse(broken));
    }
}
