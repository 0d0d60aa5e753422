package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The TLS flags' rules, and which listen addresses count as loopback for the plaintext warning. */
class TlsSettingsTest {

    private static final Path CERT = Path.of("tls.crt");
    private static final Path KEY = Path.of("tls.key");
    private static final Path CA = Path.of("ca.crt");

    @Test
    void aCertificateWithoutItsKey_orAKeyWithoutItsCertificate_isRefusedNamingTheFlag() {
        assertEquals("--tls-cert needs --tls-key", assertThrows(IllegalArgumentException.class,
                () -> new TlsSettings(CERT, null, null, null, null)).getMessage());
        assertEquals("--tls-key needs --tls-cert", assertThrows(IllegalArgumentException.class,
                () -> new TlsSettings(null, KEY, null, null, null)).getMessage());
    }

    @Test
    void aClientCaWithoutTls_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TlsSettings(null, null, null, CA, null));
        assertEquals("--authz-client-ca needs --tls-cert and --tls-key (mTLS is TLS first)", e.getMessage());
    }

    @Test
    void oneCertificateForEveryListener_mtlsWhereAClientCaIsSet() {
        TlsSettings tls = new TlsSettings(CERT, KEY, CA, null, null);
        assertTrue(tls.admin().mutual());
        assertFalse(tls.authz().mutual());
        assertEquals(CERT, tls.metrics().certificate());
        assertNull(TlsSettings.NONE.admin());
    }

    @Test
    void loopback_isLocalhostAnd127And1_everythingElseCountsAsReachable() {
        assertTrue(new HostPort("127.0.0.1", 9190).loopback());
        assertTrue(new HostPort("127.3.2.1", 9190).loopback());
        assertTrue(new HostPort("::1", 9190).loopback());
        assertTrue(new HostPort("localhost", 9190).loopback());
        assertFalse(new HostPort("0.0.0.0", 9190).loopback());
        assertFalse(new HostPort("::", 9190).loopback());
        assertFalse(new HostPort("10.0.0.7", 9190).loopback());
        assertFalse(new HostPort("keymeter.internal", 9190).loopback(), "names are not looked up");
    }
}
