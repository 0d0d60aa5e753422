package dev.keymeter.server;

import dev.keymeter.tls.ServerTlsFiles;
import java.nio.file.Path;

/**
 * The TLS of a process's listeners: one certificate for all of them ({@code --tls-cert},
 * {@code --tls-key}), and per listener an optional CA bundle whose client certificates it requires
 * (mTLS). Without a certificate every listener is plaintext, as {@code keymeter serve} on loopback
 * expects.
 *
 * @param certificate {@code --tls-cert} / {@code KEYMETER_TLS_CERT}
 * @param privateKey {@code --tls-key} / {@code KEYMETER_TLS_KEY}
 * @param adminClientCa {@code --admin-client-ca} / {@code KEYMETER_ADMIN_CLIENT_CA}
 * @param authzClientCa {@code --authz-client-ca} / {@code KEYMETER_AUTHZ_CLIENT_CA}
 * @param metricsClientCa {@code --metrics-client-ca} / {@code KEYMETER_METRICS_CLIENT_CA}
 */
public record TlsSettings(Path certificate, Path privateKey, Path adminClientCa, Path authzClientCa,
        Path metricsClientCa) {

    /** Every listener plaintext. */
    public static final TlsSettings NONE = new TlsSettings(null, null, null, null, null);

    public TlsSettings {
        if (certificate == null && privateKey != null) {
            throw new IllegalArgumentException("--tls-key needs --tls-cert");
        }
        if (certificate != null && privateKey == null) {
            throw new IllegalArgumentException("--tls-cert needs --tls-key");
        }
        if (certificate == null) {
            requireNull(adminClientCa, "--admin-client-ca");
            requireNull(authzClientCa, "--authz-client-ca");
            requireNull(metricsClientCa, "--metrics-client-ca");
        }
    }

    private static void requireNull(Path ca, String flag) {
        if (ca != null) {
            throw new IllegalArgumentException(flag + " needs --tls-cert and --tls-key (mTLS is TLS first)");
        }
    }

    public boolean enabled() {
        return certificate != null;
    }

    /** The admin listener's files; {@code null}: plaintext. */
    public ServerTlsFiles admin() {
        return files(adminClientCa);
    }

    /** The ext_authz/usage listener's files; {@code null}: plaintext. */
    public ServerTlsFiles authz() {
        return files(authzClientCa);
    }

    /** The metrics listener's files; {@code null}: plaintext. */
    public ServerTlsFiles metrics() {
        return files(metricsClientCa);
    }

    private ServerTlsFiles files(Path clientCa) {
        return certificate == null ? null : new ServerTlsFiles(certificate, privateKey, clientCa);
    }
}
