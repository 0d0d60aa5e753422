package dev.keymeter.fleet;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where budgets are counted, as {@code --budgets-store} names it: {@code local} (each sidecar on its
 * own, the default), {@code redis://[user:password@]HOST:PORT[/DB]} (standalone Redis),
 * {@code redis-cluster://[user:password@]H1:P1,H2:P2,…} (Redis Cluster; any reachable nodes, the rest
 * are discovered), and {@code rediss://} / {@code rediss-cluster://} for TLS. Immutable.
 *
 * <p>{@link #toString()} never shows the password: the value is logged at start-up.
 *
 * @param cluster  a Redis Cluster rather than one server
 * @param tls      connect with TLS
 * @param nodes    the servers to connect to (one for standalone)
 * @param user     the ACL user, or {@code null}
 * @param password the password, or {@code null}
 * @param database the database number (standalone only)
 */
public record BudgetsStore(boolean local, boolean cluster, boolean tls, List<Node> nodes, String user, String password,
                           int database) {

    /** One server's address. */
    public record Node(String host, int port) {
        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    public static final BudgetsStore LOCAL = new BudgetsStore(true, false, false, List.of(), null, null, 0);

    public BudgetsStore {
        nodes = List.copyOf(nodes);
    }

    /**
     * Parses a {@code --budgets-store} value.
     *
     * @throws IllegalArgumentException naming the setting and what is wrong with the value
     */
    public static BudgetsStore parse(String value) {
        Objects.requireNonNull(value, "value");
        String v = value.trim();
        if (v.isEmpty() || v.equals("local")) {
            return LOCAL;
        }
        int schemeEnd = v.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : v.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        boolean cluster = scheme.equals("redis-cluster") || scheme.equals("rediss-cluster");
        boolean tls = scheme.equals("rediss") || scheme.equals("rediss-cluster");
        if (!cluster && !scheme.equals("redis") && !scheme.equals("rediss")) {
            throw bad(value, "expected local, redis://HOST:PORT, rediss://HOST:PORT or redis-cluster://H1:P1,H2:P2");
        }
        String rest = v.substring(schemeEnd + 3);
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            String u = colon < 0 ? "" : decode(value, credentials.substring(0, colon));
            String p = decode(value, colon < 0 ? credentials : credentials.substring(colon + 1));
            user = u.isEmpty() ? null : u;
            password = p.isEmpty() ? null : p;
        }
        int database = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!db.isEmpty()) {
                if (cluster) {
                    throw bad(value, "a Redis Cluster has no database number");
                }
                try {
                    database = Integer.parseInt(db);
                } catch (NumberFormatException e) {
                    throw bad(value, "the database must be a number, was '" + db + "'");
                }
                if (database < 0 || database > 15) {
                    throw bad(value, "the database must be 0–15, was " + database);
                }
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (String address : rest.split(",", -1)) {
            nodes.add(node(value, address.trim()));
        }
        if (!cluster && nodes.size() > 1) {
            throw bad(value, "redis:// takes one HOST:PORT; use redis-cluster:// for several nodes");
        }
        return new BudgetsStore(false, cluster, tls, nodes, user, password, database);
    }

    private static Node node(String value, String address) {
        if (address.isEmpty()) {
            throw bad(value, "a node address is empty");
        }
        try {
            URI uri = new URI("redis://" + address);
            if (uri.getHost() == null || uri.getPort() < 0) {
                throw bad(value, "'" + address + "' is not HOST:PORT");
            }
            if (uri.getPort() < 1 || uri.getPort() > 65535) {
                throw bad(value, "port of '" + address + "' must be 1–65535");
            }
            String host = uri.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Node(host, uri.getPort());
        } catch (URISyntaxException e) {
            throw bad(value, "'" + address + "' is not HOST:PORT");
        }
    }

    private static String decode(String value, String part) {
        try {
            return java.net.URLDecoder.decode(part.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw bad(value, "the credentials are not valid URL encoding");
        }
    }

    private static IllegalArgumentException bad(String value, String why) {
        return new IllegalArgumentException("--budgets-store: " + why + " (was '" + masked(value) + "')");
    }

    /** {@code value} with any password replaced by {@code ***}. */
    static String masked(String value) {
        int schemeEnd = value.indexOf("://");
        int at = value.lastIndexOf('@');
        if (schemeEnd < 0 || at < schemeEnd) {
            return value;
        }
        String credentials = value.substring(schemeEnd + 3, at);
        int colon = credentials.indexOf(':');
        String user = colon < 0 ? "" : credentials.substring(0, colon);
        return value.substring(0, schemeEnd + 3) + user + ":***" + value.substring(at);
    }

    @Override
    public String toString() {
        if (local) {
            return "local";
        }
        StringBuilder s = new StringBuilder(cluster ? (tls ? "rediss-cluster://" : "redis-cluster://")
                : (tls ? "rediss://" : "redis://"));
        if (user != null || password != null) {
            s.append(user == null ? "" : user).append(password == null ? "" : ":***").append('@');
        }
        for (int i = 0; i < nodes.size(); i++) {
            s.append(i == 0 ? "" : ",").append(nodes.get(i));
        }
        if (database != 0) {
            s.append('/').append(database);
        }
        return s.toString();
    }
}
