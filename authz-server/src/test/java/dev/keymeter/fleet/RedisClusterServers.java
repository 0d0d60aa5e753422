package dev.keymeter.fleet;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real 3-master Redis Cluster (no replicas) for tests: three {@link RedisServer} processes with
 * cluster mode on, joined by {@code redis-cli --cluster create}, returned once every node reports
 * {@code cluster_state:ok} and knows all three nodes. {@link #close()} kills them all and deletes
 * their directories.
 */
public final class RedisClusterServers implements AutoCloseable {

    static final String CLI_NOT_FOUND = "redis-cli not found: run `bash .ci/test` (it installs"
            + " redis-server, which brings redis-tools) or `apt-get install -y redis-server`";

    private static final int MASTERS = 3;
    /** A node's cluster bus listens on its port + 10000, so ports above this cannot be used. */
    private static final int MAX_PORT = 65535 - 10_000;
    private static final int PORT_ATTEMPTS = 200;
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STATE_OK_TIMEOUT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 100;

    private final List<RedisServer> nodes;

    private RedisClusterServers(List<RedisServer> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** Starts three masters, creates the cluster and waits until every node says cluster_state:ok. */
    public static RedisClusterServers start() {
        Path cli = RedisServer.findOnPath("redis-cli", CLI_NOT_FOUND);
        List<RedisServer> nodes = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        try {
            for (int i = 0; i < MASTERS; i++) {
                nodes.add(RedisServer.start(null,
                        List.of("--cluster-enabled", "yes",
                                "--cluster-config-file", "nodes.conf",
                                "--cluster-node-timeout", "2000"),
                        () -> clusterPort(taken)));
            }
            RedisClusterServers cluster = new RedisClusterServers(nodes);
            cluster.create(cli);
            cluster.awaitStateOk();
            return cluster;
        } catch (RuntimeException | Error e) {
            for (RedisServer node : nodes) {
                try {
                    node.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The nodes' client ports, in node order. */
    public List<Integer> ports() {
        return nodes.stream().map(RedisServer::port).collect(Collectors.toUnmodifiableList());
    }

    /** {@code redis-cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3}. */
    public String uri() {
        return "redis-cluster://" + nodes.stream()
                .map(n -> RedisServer.HOST + ":" + n.port())
                .collect(Collectors.joining(","));
    }

    /** Node {@code i} (0, 1 or 2), e.g. to kill and restart one master. */
    public RedisServer node(int i) {
        return nodes.get(i);
    }

    public int size() {
        return nodes.size();
    }

    /** Kills every node and deletes their directories. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (RedisServer node : nodes) {
            try {
                node.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "RedisClusterServers[" + uri() + "]";
    }

    // --- startup ---

    /**
     * A port P ≤ 55535 where both P and its cluster bus port P + 10000 are free right now, and
     * neither collides with the ports (or bus ports) already handed out for this cluster.
     */
    private static synchronized int clusterPort(Set<Integer> taken) {
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int port = RedisServer.freeLoopbackPort();
            if (port > MAX_PORT || port < 1024) {
                continue;
            }
            int bus = port + 10_000;
            if (taken.contains(port) || taken.contains(bus)) {
                continue;
            }
            if (RedisServer.isFree(bus)) {
                taken.add(port);
                taken.add(bus);
                return port;
            }
        }
        throw new IllegalStateException("no free port P <= " + MAX_PORT + " with P + 10000 free too on "
                + RedisServer.HOST + " after " + PORT_ATTEMPTS + " tries");
    }

    private void create(Path cli) {
        List<String> cmd = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
        for (RedisServer node : nodes) {
            cmd.add(RedisServer.HOST + ":" + node.port());
        }
        cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Path log = nodes.get(0).dir().resolve("cluster-create.log");
        Process process;
        try {
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        }
        try {
            if (!process.waitFor(CREATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish within "
                        + CREATE_TIMEOUT.toSeconds() + " s; last lines of its output:\n"
                        + RedisServer.tail(log, 30) + nodeLogs());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for redis-cli --cluster create", e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with "
                    + process.exitValue() + "; last lines of its output:\n"
                    + RedisServer.tail(log, 30) + nodeLogs());
        }
    }

    private void awaitStateOk() {
        long deadline = System.nanoTime() + STATE_OK_TIMEOUT.toNanos();
        List<String> last = new ArrayList<>();
        while (true) {
            last.clear();
            boolean allOk = true;
            for (RedisServer node : nodes) {
                String info;
                try {
                    info = node.command("CLUSTER", "INFO");
                } catch (UncheckedIOException e) {
                    info = e.toString();
                }
                last.add(node.port() + ": " + summary(info));
                allOk &= info != null && info.contains("cluster_state:ok")
                        && info.contains("cluster_known_nodes:" + MASTERS)
                        && info.contains("cluster_slots_assigned:16384");
            }
            if (allOk) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("Redis Cluster " + uri() + " not cluster_state:ok on"
                        + " every node within " + STATE_OK_TIMEOUT.toSeconds() + " s: " + last
                        + nodeLogs());
            }
            RedisServer.sleep(POLL_MILLIS);
        }
    }

    private static String summary(String info) {
        if (info == null || !info.contains("cluster_state:")) {
            return String.valueOf(info);
        }
        return info.lines()
                .filter(l -> l.startsWith("cluster_state:") || l.startsWith("cluster_known_nodes:")
                        || l.startsWith("cluster_slots_assigned:"))
                .collect(Collectors.joining(" "));
    }

    private String nodeLogs() {
        StringBuilder out = new StringBuilder();
        for (RedisServer node : nodes) {
            out.append("\n--- last lines of ").append(node.logFile()).append(" ---\n")
                    .append(RedisServer.tail(node.logFile(), 15));
        }
        return out.toString();
    }
}
