package dev.keymeter.sidecar;

import dev.keymeter.tls.ServerTls;
import java.io.IOException;

/**
 * Each listener's TLS, {@code null} where it is plaintext; re-read from disk while they serve, closed
 * with the sidecar.
 */
record ListenerTls(ServerTls authz, ServerTls metrics) {

    /** Loads the certificates {@code config} names; a partly loaded pair is closed before the failure is thrown. */
    static ListenerTls load(SidecarConfig config) throws IOException {
        ServerTls authz = config.authzTls() == null ? null : ServerTls.load(config.authzTls());
        try {
            return new ListenerTls(authz, config.metricsTls() == null ? null : ServerTls.load(config.metricsTls()));
        } catch (IOException | RuntimeException e) {
            new ListenerTls(authz, null).close();
            throw e;
        }
    }

    void close() {
        if (authz != null) {
            authz.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    static String describe(ServerTls tls) {
        return tls == null ? "plaintext" : tls.describe();
    }
}
