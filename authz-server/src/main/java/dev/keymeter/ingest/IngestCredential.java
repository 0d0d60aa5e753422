package dev.keymeter.ingest;

import java.security.cert.Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What a caller of the usage ports showed, decided from the call's TLS session and its metadata.
 *
 * <p>A verified client certificate is enough: with client authentication required, the TLS handshake
 * has already checked the chain against the listener's CA bundle, and {@link
 * SSLSession#getPeerCertificates} answers only for a verified peer (it throws otherwise). Any
 * certificate the listener's CA vouches for may report usage: the CA bundle is the allow-list.
 * Without one, the {@link IngestTokens#HEADER} token must be one of the configured tokens.
 */
public enum IngestCredential {
    /** A client certificate verified by the TLS handshake (mTLS). */
    CLIENT_CERTIFICATE,
    /** A configured ingest token. */
    INGEST_TOKEN,
    /** No certificate and no token. */
    MISSING,
    /** A token that is not configured here. */
    UNKNOWN_TOKEN;

    /** Whether the call may go on. */
    public boolean admitted() {
        return this == CLIENT_CERTIFICATE || this == INGEST_TOKEN;
    }

    /**
     * @param session the call's TLS session ({@code Grpc.TRANSPORT_ATTR_SSL_SESSION}), {@code null} on
     *     plaintext
     * @param token   the {@link IngestTokens#HEADER} value, or {@code null}
     */
    public static IngestCredential of(SSLSession session, String token, IngestTokens tokens) {
        if (hasVerifiedPeer(session)) {
            return CLIENT_CERTIFICATE;
        }
        if (token == null || token.isEmpty()) {
            return MISSING;
        }
        return tokens.accepts(token) ? INGEST_TOKEN : UNKNOWN_TOKEN;
    }

    private static boolean hasVerifiedPeer(SSLSession session) {
        if (session == null) {
            return false;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain != null && chain.length > 0;
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            return false;
        }
    }
}
