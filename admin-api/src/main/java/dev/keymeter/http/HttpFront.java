package dev.keymeter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.keymeter.tls.ServerTls;
import io.grpc.Status;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;

/**
 * The control plane's HTTP listener ({@code --console-addr}, 127.0.0.1:9193 by default in the
 * process commands): the JDK's {@link HttpServer}, or {@link HttpsServer} with the control plane's
 * certificate. Each request goes to the {@link HttpMount} with the longest prefix of its path;
 * {@code /} redirects to the console; anything else is a JSON 404.
 *
 * <p>Handlers run on {@value #THREADS} threads named {@code keymeter-http-N} with {@value #QUEUE}
 * exchanges queued; past that the accepting thread serves the exchange itself, which slows accepting
 * instead of dropping connections.
 */
public final class HttpFront implements AutoCloseable {

    public static final int DEFAULT_PORT = 9193;
    static final int THREADS = 8;
    static final int QUEUE = 64;
    private static final Logger LOG = System.getLogger("keymeter.http");
    private static final AtomicInteger THREAD_COUNT = new AtomicInteger();

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final List<HttpMount> mounts;
    private final AtomicInteger inFlight = new AtomicInteger();

    private HttpFront(HttpServer server, ThreadPoolExecutor executor, List<HttpMount> mounts) {
        this.server = server;
        this.executor = executor;
        this.mounts = mounts;
    }

    /**
     * Binds {@code address} and starts serving {@code mounts}; over HTTPS when {@code tls} is set (no
     * client certificate asked for: browsers sign in with an admin key).
     */
    public static HttpFront start(InetSocketAddress address, ServerTls tls, List<HttpMount> mounts) throws IOException {
        Objects.requireNonNull(address, "address");
        List<HttpMount> byLongestPrefix = mounts.stream()
                .sorted(Comparator.comparingInt((HttpMount m) -> m.prefix().length()).reversed()).toList();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), HttpFront::thread, new ThreadPoolExecutor.CallerRunsPolicy());
        executor.allowCoreThreadTimeOut(true);
        HttpServer server;
        try {
            server = tls == null ? HttpServer.create(address, 0) : https(address, tls);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            // No cause attached: start-up errors print the root cause's message, and this one names the flag.
            throw new IOException("--console-addr " + address.getHostString() + ":" + address.getPort()
                    + ": cannot listen: " + e.getMessage());
        }
        HttpFront front = new HttpFront(server, executor, byLongestPrefix);
        server.createContext("/", front::dispatch);
        server.setExecutor(executor);
        server.start();
        return front;
    }

    private static HttpsServer https(InetSocketAddress address, ServerTls tls) throws IOException {
        HttpsServer https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
                params.setSSLParameters(parameters);
            }
        });
        return https;
    }

    /** The port bound (the real one when started with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** "https" or "http". */
    public String scheme() {
        return server instanceof HttpsServer ? "https" : "http";
    }

    private void dispatch(HttpExchange exchange) {
        inFlight.incrementAndGet();
        try (exchange) {
            try {
                route(exchange);
            } catch (HttpRefusal refusal) {
                answerIfOpen(exchange, refusal);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "HTTP exchange ended early: " + e.getMessage());
            } catch (RuntimeException e) { // no stack trace, no request data: the class and its message
                LOG.log(Level.ERROR, "HTTP request failed: " + e.getClass().getName() + ": " + e.getMessage());
                answerIfOpen(exchange, HttpRefusal.of(Status.Code.INTERNAL,
                        "internal error; see the control plane's log"));
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if ("/".equals(path)) {
            exchange.getResponseHeaders().set("Location", "/console/");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        for (HttpMount mount : mounts) {
            if (path != null && path.startsWith(mount.prefix())) {
                mount.handle(exchange);
                return;
            }
        }
        throw HttpRefusal.of(Status.Code.NOT_FOUND, "no such path: " + path);
    }

    private static void answerIfOpen(HttpExchange exchange, HttpRefusal refusal) {
        if (exchange.getResponseCode() != -1) {
            return; // the mount had already answered: nothing more can be said
        }
        try {
            JsonReplies.error(exchange, refusal);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "HTTP exchange ended early: " + e.getMessage());
        }
    }

    private static Thread thread(Runnable task) {
        Thread t = new Thread(task, "keymeter-http-" + THREAD_COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    /**
     * Stops taking requests, lets those in flight finish for up to a second, and stops the threads.
     * (The JDK's server waits the whole delay when no exchange is in flight, hence 0 then.)
     */
    @Override
    public void close() {
        server.stop(inFlight.get() == 0 ? 0 : 1);
        executor.shutdownNow();
    }
}
