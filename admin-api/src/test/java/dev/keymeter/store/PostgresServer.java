package dev.keymeter.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: its own cluster, created with {@code initdb} in a temporary
 * directory, listening on a free loopback port, removed on {@link #close}. PostgreSQL refuses to run
 * as root, so as root the cluster belongs to the {@code postgres} user the Debian package creates
 * and every server command runs through {@code runuser -u postgres}; as anyone else it runs as that
 * user. The superuser is {@code keymeter}, trusted on loopback (no password). {@code fsync} is off
 * unless asked for: these are tests of the store's logic, not of the disk.
 *
 * <p>Needs the Debian package {@code postgresql} ({@code bash .ci/test} installs it).
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "keymeter";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer shared;

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;
    private final boolean fsync;
    private Process server;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgresUser, boolean fsync) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.fsync = fsync;
    }

    /** Creates a cluster and starts it; returns once it accepts connections. */
    public static PostgresServer start() {
        return start(false);
    }

    /** As {@link #start()}; {@code fsync} on makes commits as durable as a production server's (for timings). */
    public static PostgresServer start(boolean fsync) {
        Path bin = findBin();
        try {
            Path dir = Files.createTempDirectory("keymeter-pg");
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
            }
            PostgresServer pg = new PostgresServer(bin, dir, freePort(), root, fsync);
            pg.run(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-A", "trust", "-U", USER,
                    "-E", "UTF8", "--locale=C", "--no-sync"), 120);
            pg.startServer();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The one server of the test JVM, started on first use and stopped when the JVM exits; tests take
     * a database of their own from it ({@link #createDatabase}). A test that kills or restarts a
     * server starts its own instead.
     */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start();
            PostgresServer started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-test-postgres"));
        }
        return shared;
    }

    public int port() {
        return port;
    }

    /** A new, empty database; returns its JDBC URL. */
    public String createDatabase() {
        String name = "keymeter_test_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres")); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return jdbcUrl(name);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    /** Stops the server at once (as a crash would), keeping its data. */
    public void kill() {
        if (server != null) {
            runQuietly(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "stop", "-m", "immediate"));
            waitFor(server);
            server = null;
        }
    }

    /** Starts a killed server again on the same port and data. */
    public void restart() {
        if (server == null) {
            startServer();
        }
    }

    @Override
    public void close() {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is not worth failing a test for
        }
    }

    private void startServer() {
        List<String> cmd = command(List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=" + (fsync ? "on" : "off"), "-c", "max_connections=200"));
        try {
            server = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("server.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection ignored = DriverManager.getConnection(jdbcUrl("postgres"))) {
                return;
            } catch (SQLException notYet) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL did not start on port " + port + ": " + log());
                }
                sleep(50);
            }
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private List<String> command(List<String> cmd) {
        if (!asPostgresUser) {
            return cmd;
        }
        List<String> all = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        all.addAll(cmd);
        return all;
    }

    private void run(List<String> cmd, int seconds) throws IOException {
        Process p = new ProcessBuilder(command(cmd)).redirectErrorStream(true).start();
        String out;
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd.get(0) + " did not finish within " + seconds + " s");
            }
            out = new String(p.getInputStream().readAllBytes());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
    }

    private void runQuietly(List<String> cmd) {
        try {
            run(cmd, 60);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.destroyForcibly();
            }
        }
    }

    private static void waitFor(Process p) {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path findBin() {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString))
                    .orElseThrow(() -> new IllegalStateException("no initdb under " + root));
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL is not installed (no " + root + "): apt-get install postgresql"
                    + " (bash .ci/test does it)", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
