package dev.keymeter.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.keymeter.tls.ServerTls;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;

/**
 * The HTTP side: {@code GET /metrics} (Prometheus text exposition 0.0.4), {@code GET /healthz} (200
 * while the process runs) and {@code GET /readyz} (200 while the readiness supplier says so, else
 * 503, with the supplier's detail in the body). HEAD is answered like GET without a body; other methods get 405, other paths 404.
 *
 * <p>The JDK's {@link HttpServer}, bound and started by the constructor, on {@value #DEFAULT_HOST}:
 * {@value #DEFAULT_PORT} by default (loopback: expose it on purpose). Handlers run on a small bounded
 * pool ({@value #THREADS} threads, {@value #QUEUE} queued exchanges); past that the server's accept
 * thread serves the exchange itself, which slows accepting instead of dropping connections. Nothing
 * here touches the Check path: a scrape reads counters and gauges.
 */
public final class MetricsServer implements AutoCloseable {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9464;
    /** What {@link PrometheusMeterRegistry#scrape(OutputStream)} writes. */
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final int THREADS = 2;
    static final int QUEUE = 32;
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final AtomicInteger THREAD_COUNT = new AtomicInteger();

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final PrometheusMeterRegistry registry;
    private final Supplier<Readiness> ready;
    private final Runnable beforeScrape;

    /**
     * Binds and starts serving.
     *
     * @param port 0 for any free port (see {@link #port()})
     * @param ready whether {@code /readyz} answers 200 (the sidecar passes "the replica has loaded")
     */
    public MetricsServer(String host, int port, PrometheusMeterRegistry registry, BooleanSupplier ready)
            throws IOException {
        this(host, port, registry, ready, () -> { });
    }

    /**
     * Like {@link #MetricsServer(String, int, PrometheusMeterRegistry, BooleanSupplier)}, running
     * {@code beforeScrape} before each scrape: e.g. {@link CheckMetrics#flush}, so that a scrape counts
     * every request decided before it.
     */
    public MetricsServer(String host, int port, PrometheusMeterRegistry registry, BooleanSupplier ready,
            Runnable beforeScrape) throws IOException {
        this(host, port, registry, ready, beforeScrape, null);
    }

    /**
     * As above, over HTTPS when {@code tls} is set; with mTLS every client (Prometheus) must present a
     * certificate from its CA, or the handshake fails.
     */
    public MetricsServer(String host, int port, PrometheusMeterRegistry registry, BooleanSupplier ready,
            Runnable beforeScrape, ServerTls tls) throws IOException {
        this(host, port, registry, readinessOf(Objects.requireNonNull(ready, "ready")), beforeScrape, tls);
    }

    /** As above, with {@code /readyz}'s status and body from {@code readiness}. */
    public MetricsServer(String host, int port, PrometheusMeterRegistry registry, Supplier<Readiness> readiness,
            Runnable beforeScrape, ServerTls tls) throws IOException {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.ready = Objects.requireNonNull(readiness, "readiness");
        this.beforeScrape = Objects.requireNonNull(beforeScrape, "beforeScrape");
        Objects.requireNonNull(host, "host");
        executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                MetricsServer::daemon, new ThreadPoolExecutor.CallerRunsPolicy());
        executor.allowCoreThreadTimeOut(true);
        try {
            server = tls == null ? HttpServer.create(new InetSocketAddress(host, port), 0) : https(host, port, tls);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    private static HttpsServer https(String host, int port, ServerTls tls) throws IOException {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(host, port), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
                parameters.setNeedClientAuth(tls.mutual());
                params.setSSLParameters(parameters);
            }
        });
        return https;
    }

    /** The port bound (the real one when constructed with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, TEXT, bytes("method not allowed\n"), false);
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> send(exchange, 200, METRICS_CONTENT_TYPE, scrape(), head);
                case "/healthz" -> send(exchange, 200, TEXT, bytes("ok\n"), head);
                case "/readyz" -> readiness(exchange, head);
                default -> send(exchange, 404, TEXT, bytes("not found\n"), head);
            }
        }
    }

    private void readiness(HttpExchange exchange, boolean head) throws IOException {
        Readiness r = ready.get();
        send(exchange, r.ready() ? 200 : 503, TEXT, bytes(r.body()), head);
    }

    private static Supplier<Readiness> readinessOf(BooleanSupplier ready) {
        return () -> new Readiness(ready.getAsBoolean(), "");
    }

    private byte[] scrape() throws IOException {
        beforeScrape.run();
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        registry.scrape(out);
        return out.toByteArray();
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body, boolean head)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (head) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Thread daemon(Runnable task) {
        Thread t = new Thread(task, "keymeter-metrics-http-" + THREAD_COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    /** Stops at once (in-flight scrapes are cut short) and stops the handler threads. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
