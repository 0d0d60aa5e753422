package dev.keymeter.tls;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * One listener's TLS: its certificate and, with mTLS, the CA client certificates must chain to, both
 * re-read from disk when they change ({@link PemReloader}). Gives gRPC server credentials, or an
 * {@link SSLContext} for the JDK's HTTPS server. Close it with the listener.
 */
public final class ServerTls implements AutoCloseable {

    private final ServerTlsFiles files;
    private final AdvancedTlsX509KeyManager keys;
    private final AdvancedTlsX509TrustManager clients;
    private final PemReloader.Watches watches;

    private ServerTls(ServerTlsFiles files, AdvancedTlsX509KeyManager keys, AdvancedTlsX509TrustManager clients,
            PemReloader.Watches watches) {
        this.files = files;
        this.keys = keys;
        this.clients = clients;
        this.watches = watches;
    }

    /** Loads the files; a missing or unreadable file, or one that does not parse, is an IOException naming it. */
    public static ServerTls load(ServerTlsFiles files) throws IOException {
        PemReloader.Watches watches = new PemReloader.Watches();
        try {
            AdvancedTlsX509KeyManager keys = PemReloader.keyManager(files.certificate(), files.privateKey(), watches);
            AdvancedTlsX509TrustManager clients = files.mutual()
                    // A server has no host name to check a client against: the chain is what counts.
                    ? PemReloader.trustManager(files.clientCa(),
                            AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION, watches)
                    : null;
            return new ServerTls(files, keys, clients, watches);
        } catch (IOException | RuntimeException e) {
            watches.close();
            throw e;
        }
    }

    public ServerTlsFiles files() {
        return files;
    }

    /** Whether clients must present a certificate from {@link ServerTlsFiles#clientCa()}. */
    public boolean mutual() {
        return clients != null;
    }

    /** For {@code NettyServerBuilder.forAddress(address, credentials)}: TLS 1.2+, client certificates required with mTLS. */
    public ServerCredentials credentials() {
        TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(keys);
        if (clients != null) {
            builder.trustManager(clients).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return builder.build();
    }

    /** For the JDK's HTTPS server; with mTLS the server must also ask for client certificates (needClientAuth). */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, clients == null ? null : new TrustManager[] {clients}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no TLS: " + e.getMessage(), e);
        }
    }

    /** A line for the start-up banner: "TLS" or "mTLS (clients from CA)". */
    public String describe() {
        return clients == null ? "TLS" : "mTLS (client certificates from " + files.clientCa() + ")";
    }

    @Override
    public void close() {
        watches.close();
    }
}
