package dev.keymeter.tls;

import io.grpc.Attributes;
import io.grpc.Grpc;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Whether a call came over mTLS with a client certificate. The listener's trust manager has already
 * verified the chain during the handshake (a listener with mTLS refuses a connection without one),
 * so a session that holds peer certificates is a verified client.
 */
public final class PeerCertificates {

    private PeerCertificates() {
    }

    /** True when the call's transport is TLS and the client presented a certificate the handshake accepted. */
    public static boolean verified(Attributes transport) {
        SSLSession session = transport == null ? null : transport.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return false;
        }
        try {
            return session.getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }
}
