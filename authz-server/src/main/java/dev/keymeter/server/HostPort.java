package dev.keymeter.server;

/** A listen address {@code host:port}; IPv6 hosts in brackets, e.g. {@code [::1]:9190}. */
public record HostPort(String host, int port) {

    /** Parses {@code value}; the message of a refusal names {@code setting}. */
    public static HostPort parse(String setting, String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(setting + " must be HOST:PORT, was '" + value + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting + " has a port that is not a number: '" + value + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(setting + " port must be 0–65535, was " + port);
        }
        return new HostPort(host, port);
    }

    /**
     * Whether only this machine can reach the address: {@code localhost}, or a literal loopback address
     * ({@code 127.0.0.0/8}, {@code ::1}). Other names are not looked up: they count as reachable.
     */
    public boolean loopback() {
        if ("localhost".equalsIgnoreCase(host)) {
            return true;
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
