/**
 * TLS for every listener and client: PEM files loaded into key and trust managers that re-read them
 * when they change on disk (cert-manager and similar tools rotate certificates by replacing files),
 * and the gRPC credentials or {@link javax.net.ssl.SSLContext} built from them.
 *
 * <p>Owns: {@link dev.keymeter.tls.ServerTls} (a listener's certificate, and the CA its clients must
 * chain to when mTLS is on), {@link dev.keymeter.tls.ClientTls} (the CA a client trusts and its own
 * certificate for mTLS). Depends only on gRPC and the JDK, so every module can use it.
 */
package dev.keymeter.tls;
