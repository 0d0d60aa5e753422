package dev.keymeter.fleet;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} process for tests, started by the test itself: loopback only, on a
 * free port, in a fresh temp directory, no persistence ({@code --save "" --appendonly no}).
 *
 * <p>The server's stdout/stderr go to {@code redis.log} in its directory; a startup failure's
 * message carries the last lines of that log. {@link #kill()} is a SIGKILL (a crash, not a
 * shutdown), {@link #restart()} brings the server back on the same port and directory, and
 * {@link #close()} kills it and deletes the directory. Servers still running when the test JVM
 * exits are killed by a shutdown hook, so a failed test does not leave processes behind.
 *
 * <p>Failures are unchecked: {@link IllegalStateException} when the server cannot be started or
 * does not become ready, {@link UncheckedIOException} when a socket or file operation fails (for
 * {@link #command} on a killed server, its cause is the {@link java.net.ConnectException}).
 */
public final class RedisServer implements AutoCloseable {

    static final String NOT_FOUND = "redis-server not found: run `bash .ci/test` (it installs it)"
            + " or `apt-get install -y redis-server`";

    /** How long a (re)started server gets to answer PING; generous for a loaded 2-core machine. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 50;
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    /** Attempts at a fresh port when another process binds the chosen one first. */
    private static final int BIND_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 30;
    static final String HOST = "127.0.0.1";

    /** Processes alive right now, killed on JVM exit if a test did not close its server. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> LIVE.forEach(Process::destroyForcibly), "redis-server-reaper"));
    }

    private final Path executable;
    private final Path dir;
    private final Path log;
    private final int port;
    private final String password;
    private final List<String> extraArgs;
    private Process process;
    private boolean closed;

    private RedisServer(Path executable, Path dir, int port, String password, List<String> extraArgs) {
        this.executable = executable;
        this.dir = dir;
        this.log = dir.resolve("redis.log");
        this.port = port;
        this.password = password;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a server without a password; returns once it answers PING. */
    public static RedisServer start() {
        return start(null);
    }

    /** Starts a server with {@code --requirepass password} (none when null); returns once it answers. */
    public static RedisServer start(String password) {
        return start(password, List.of(), RedisServer::freeLoopbackPort);
    }

    /**
     * Starts a server with extra {@code redis-server} arguments on a port from {@code ports}; when
     * another process takes that port before redis-server binds it, tries again with the next one.
     */
    static RedisServer start(String password, List<String> extraArgs, IntSupplier ports) {
        Path executable = findOnPath("redis-server", NOT_FOUND);
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            int port = ports.getAsInt();
            Path dir;
            try {
                dir = Files.createTempDirectory("keymeter-redis-" + port + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temp directory for redis-server", e);
            }
            RedisServer server = new RedisServer(executable, dir, port, password, extraArgs);
            try {
                server.launchAndAwaitReady();
                return server;
            } catch (RuntimeException e) {
                boolean portTaken = server.logText().contains("Address already in use");
                server.close();
                if (!portTaken || !(e instanceof IllegalStateException ise)) {
                    throw e;
                }
                last = ise;
            }
        }
        throw new IllegalStateException("redis-server could not bind a free port in "
                + BIND_ATTEMPTS + " attempts", last);
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT} (the password, if any, is not in it). */
    public String uri() {
        return "redis://" + HOST + ":" + port;
    }

    /** The server's directory ({@code --dir}); its log is {@code redis.log} in it. */
    Path dir() {
        return dir;
    }

    Path logFile() {
        return log;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, like a crash (no shutdown, no save); returns once the process has exited. */
    public synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("redis-server on port " + port + " (pid " + p.pid()
                        + ") did not exit within " + EXIT_TIMEOUT.toSeconds() + " s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for redis-server to exit", e);
        } finally {
            LIVE.remove(p);
        }
        process = null;
    }

    /**
     * Starts the server again on the same port and directory (a cluster node keeps its identity
     * from nodes.conf there); kills it first if it is still running. Returns once it answers PING.
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("redis-server on port " + port + " is closed");
        }
        kill();
        launchAndAwaitReady();
    }

    /**
     * Sends one command on a new connection (after AUTH when the server has a password) and
     * returns the reply: a bulk string's content (null for a null bulk string), otherwise the
     * reply's raw first line with its type prefix, e.g. {@code +OK}, {@code :42}, {@code -ERR ...},
     * or {@code *3} for an array.
     */
    public String command(String... args) {
        return command(port, password, args);
    }

    /** {@link #command} against any loopback port, with AUTH first when {@code password} is not null. */
    static String command(int port, String password, String... args) {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            if (password != null) {
                out.write(encode("AUTH", password));
                out.flush();
                String auth = readReply(in);
                if (!"+OK".equals(auth)) {
                    throw new IllegalStateException("AUTH on port " + port + " failed: " + auth);
                }
            }
            out.write(encode(args));
            out.flush();
            return readReply(in);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "redis command " + String.join(" ", args) + " on port " + port + " failed", e);
        }
    }

    /** Kills the server and deletes its directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            kill();
        } finally {
            deleteRecursively(dir);
        }
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + ", dir=" + dir + "]";
    }

    // --- process ---

    private synchronized void launchAndAwaitReady() {
        List<String> cmd = new ArrayList<>(List.of(executable.toString(),
                "--bind", HOST,
                "--port", Integer.toString(port),
                "--save", "",
                "--appendonly", "no",
                "--dir", dir.toString(),
                "--daemonize", "no",
                "--protected-mode", "yes"));
        if (password != null) {
            cmd.add("--requirepass");
            cmd.add(password);
        }
        cmd.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        }
        LIVE.add(process);
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        IOException lastError = null;
        String lastReply = null;
        while (true) {
            if (!process.isAlive()) {
                int exit = process.exitValue();
                LIVE.remove(process);
                process = null;
                throw new IllegalStateException("redis-server on port " + port + " exited with "
                        + exit + " before answering PING; last lines of " + log + ":\n" + logTail());
            }
            try {
                lastReply = ping();
                if (lastReply != null) {
                    return;
                }
            } catch (IOException e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline > 0) {
                IllegalStateException failure = new IllegalStateException("redis-server on port "
                        + port + " did not answer PING within " + READY_TIMEOUT.toSeconds() + " s"
                        + (lastReply == null ? "" : " (last reply " + lastReply + ")")
                        + "; last lines of " + log + ":\n" + logTail(), lastError);
                kill();
                throw failure;
            }
            sleep(POLL_MILLIS);
        }
    }

    /** Null when the server is up but not ready yet (e.g. -LOADING); throws when it does not answer. */
    private String ping() throws IOException {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(encode("PING"));
            out.flush();
            String reply = readReply(in);
            if ("+PONG".equals(reply)) {
                return reply;
            }
            if (reply != null && reply.startsWith("-NOAUTH") && password != null) {
                out.write(encode("AUTH", password));
                out.flush();
                String auth = readReply(in);
                if (!"+OK".equals(auth)) {
                    throw new IllegalStateException("AUTH on port " + port + " failed: " + auth);
                }
                return auth;
            }
            return null;
        }
    }

    // --- RESP ---

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static byte[] encode(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeAscii(out, "*" + args.length + "\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            writeAscii(out, "$" + bytes.length + "\r\n");
            out.writeBytes(bytes);
            writeAscii(out, "\r\n");
        }
        return out.toByteArray();
    }

    private static void writeAscii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String readReply(InputStream in) throws IOException {
        String line = readLine(in);
        if (line.startsWith("$")) {
            int length = Integer.parseInt(line.substring(1));
            if (length < 0) {
                return null;
            }
            byte[] bulk = in.readNBytes(length + 2);
            if (bulk.length != length + 2) {
                throw new EOFException("connection closed inside a bulk string of " + length + " bytes");
            }
            return new String(bulk, 0, length, StandardCharsets.UTF_8);
        }
        return line;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed before a full reply line");
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
    }

    // --- helpers ---

    /** A port that was free on 127.0.0.1 a moment ago (another process may still take it first). */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    /** Whether {@code port} can be bound on 127.0.0.1 right now. */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The executable {@code name} on PATH; throws with {@code notFound} when there is none. */
    static Path findOnPath(String name, String notFound) {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>();
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.add("/usr/bin");
        dirs.add("/usr/local/bin");
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path candidate = Paths.get(d, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(notFound);
    }

    private String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    String logTail() {
        return tail(log, LOG_TAIL_LINES);
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no " + file.getFileName() + " written)";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
