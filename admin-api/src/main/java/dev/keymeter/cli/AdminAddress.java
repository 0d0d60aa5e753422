package dev.keymeter.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What {@code --addr} means: {@code HOST:PORT}, {@code HOST} alone (the admin API's default port,
 * {@value #DEFAULT_PORT}, as kubectl and gh fill in theirs — never port 80, which a bare host would
 * mean to gRPC), {@code [IPv6]} or {@code [IPv6]:PORT}; a gRPC target with a scheme
 * ({@code dns:///…}, {@code unix:…}) is taken as it is.
 *
 * @param target the gRPC target to dial
 * @param host   the host to resolve before dialing, or null for a target with a scheme
 */
record AdminAddress(String target, String host) {

    /** The admin API's port unless configured otherwise ({@code ControlPlaneConfig.DEFAULT_PORT}). */
    static final int DEFAULT_PORT = 9190;
    /** The sidecar's ext_authz and metrics ports by default, for hints when --addr points at them. */
    static final int SIDECAR_PORT = 9191;
    static final int METRICS_PORT = 9464;

    static AdminAddress parse(String addr) {
        String a = addr.trim();
        if (a.contains(":/") || a.startsWith("unix:") || a.startsWith("dns:")) {
            return new AdminAddress(a, null);
        }
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            String host = close < 0 ? a.substring(1) : a.substring(1, close);
            boolean hasPort = close >= 0 && a.length() > close + 1 && a.charAt(close + 1) == ':';
            return new AdminAddress(hasPort ? a : "[" + host + "]:" + DEFAULT_PORT, host);
        }
        int colon = a.lastIndexOf(':');
        if (colon < 0) {
            return new AdminAddress(a + ":" + DEFAULT_PORT, a);
        }
        return new AdminAddress(a, a.substring(0, colon));
    }

    /**
     * Resolves the host, so that a typo is one line ({@code cannot reach keymeter at …: unknown host
     * …}, exit 6) rather than gRPC's resolver retrying and logging a stack trace.
     */
    void resolve() {
        if (host == null || host.isEmpty()) {
            return;
        }
        try {
            InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new StatusRuntimeException(Status.UNAVAILABLE.withDescription("unknown host '" + host + "' (--addr)"));
        }
    }
}
