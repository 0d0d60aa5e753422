package dev.keymeter.tls;

import java.nio.file.Path;

/**
 * The PEM files of a TLS client.
 *
 * @param ca the CA bundle the server's certificate must chain to; {@code null}: the JDK's trust store
 * @param certificate this client's certificate chain for mTLS; {@code null}: none
 * @param privateKey its private key; set exactly when {@code certificate} is
 */
public record ClientTlsFiles(Path ca, Path certificate, Path privateKey) {

    public ClientTlsFiles {
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException("a client certificate needs its private key, and a key its certificate");
        }
    }
}
