package dev.keymeter.tls;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * A client's TLS: the CAs it trusts (a bundle re-read when it changes, or the JDK's trust store) and,
 * for mTLS, its own certificate, re-read the same way. The server's certificate must also name the
 * host the client dialled. Close it with the channel.
 */
public final class ClientTls implements AutoCloseable {

    private final ChannelCredentials credentials;
    private final PemReloader.Watches watches;

    private ClientTls(ChannelCredentials credentials, PemReloader.Watches watches) {
        this.credentials = credentials;
        this.watches = watches;
    }

    /** Loads the files; a missing or unreadable file, or one that does not parse, is an IOException naming it. */
    public static ClientTls load(ClientTlsFiles files) throws IOException {
        PemReloader.Watches watches = new PemReloader.Watches();
        try {
            AdvancedTlsX509TrustManager servers;
            if (files.ca() != null) {
                servers = PemReloader.trustManager(files.ca(),
                        AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION, watches);
            } else {
                servers = AdvancedTlsX509TrustManager.newBuilder()
                        .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
                        .build();
                servers.useSystemDefaultTrustCerts();
            }
            TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder().trustManager(servers);
            if (files.certificate() != null) {
                AdvancedTlsX509KeyManager keys = PemReloader.keyManager(files.certificate(), files.privateKey(), watches);
                builder.keyManager(keys);
            }
            return new ClientTls(builder.build(), watches);
        } catch (GeneralSecurityException e) {
            watches.close();
            throw new IOException("cannot read the JDK's trust store: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            watches.close();
            throw e;
        }
    }

    /** For {@code Grpc.newChannelBuilder(target, credentials)}. */
    public ChannelCredentials credentials() {
        return credentials;
    }

    @Override
    public void close() {
        watches.close();
    }
}
