package dev.keymeter.tls;

import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** Which certificate a TLS listener shows a new connection: the handshake alone, nothing sent. */
public final class TlsProbe {

    private TlsProbe() {
    }

    /** The subject of the leaf certificate a new connection to 127.0.0.1:{@code port} is shown. */
    public static String servedSubject(int port) throws Exception {
        X509Certificate[][] seen = new X509Certificate[1][];
        TrustManager recordAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen[0] = chain; // records, trusts anything: this connection only looks, it sends nothing
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {recordAll}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
        } catch (javax.net.ssl.SSLException refusedForWantOfAClientCertificate) {
            // With mTLS the server may end the handshake after showing its certificate: that is enough.
        }
        if (seen[0] == null) {
            throw new AssertionError("no certificate was shown on port " + port);
        }
        return seen[0][0].getSubjectX500Principal().getName();
    }
}
