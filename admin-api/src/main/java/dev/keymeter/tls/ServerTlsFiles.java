package dev.keymeter.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The PEM files of one TLS listener.
 *
 * @param certificate the server certificate chain (leaf first)
 * @param privateKey its private key (PKCS#8, {@code BEGIN PRIVATE KEY})
 * @param clientCa the CA bundle client certificates must chain to; {@code null}: no client
 *     certificate asked for (TLS without mTLS)
 */
public record ServerTlsFiles(Path certificate, Path privateKey, Path clientCa) {

    public ServerTlsFiles {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /** Whether clients must present a certificate that chains to {@link #clientCa}. */
    public boolean mutual() {
        return clientCa != null;
    }

    /** The same certificate with clients verified against {@code ca} ({@code null}: not verified). */
    public ServerTlsFiles withClientCa(Path ca) {
        return new ServerTlsFiles(certificate, privateKey, ca);
    }
}
