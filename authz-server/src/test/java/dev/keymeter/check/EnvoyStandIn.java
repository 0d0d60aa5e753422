package dev.keymeter.check;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * What Envoy's ext_authz filter does with Check's answer, for clients that speak HTTP: a loopback
 * HTTP server that turns each request into a {@link CheckRequest} (method, path, lower-case headers,
 * body), asks Check over gRPC, and answers with the denial as Check built it (status, headers, body)
 * or, when allowed, with a fixed chat completion as the upstream plus the headers Check added.
 */
final class EnvoyStandIn implements AutoCloseable {

    /** The upstream's answer to every allowed request. */
    static final String COMPLETION = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,\
            "message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""";

    /** One request as it arrived: who sent it, where, when ({@link System#nanoTime}), and its answer. */
    record Hit(String authorization, String path, long nanos, int status) {
    }

    private final Function<CheckRequest, CheckResponse> check;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final List<Hit> hits = new CopyOnWriteArrayList<>();
    private volatile Runnable beforeCheck = () -> { };

    EnvoyStandIn(Function<CheckRequest, CheckResponse> check) throws IOException {
        this.check = check;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The base URL an OpenAI client takes, e.g. {@code http://127.0.0.1:41234/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    List<Hit> hits() {
        return List.copyOf(hits);
    }

    /** Runs before each Check (e.g. to move Check's clock with real time). */
    void beforeCheck(Runnable hook) {
        this.beforeCheck = hook;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long now = System.nanoTime();
            beforeCheck.run();
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
            String path = exchange.getRequestURI().getRawPath();
            CheckRequest request = withBody(Requests.withHeaders(exchange.getRequestMethod(), path, headers),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            CheckResponse answer = check.apply(request);
            int status = answer.hasDeniedResponse() ? answer.getDeniedResponse().getStatus().getCodeValue() : 200;
            hits.add(new Hit(headers.getOrDefault("authorization", ""), path, now, status));
            List<HeaderValueOption> added = answer.hasDeniedResponse() ? answer.getDeniedResponse().getHeadersList()
                    : answer.getOkResponse().getResponseHeadersToAddList();
            for (HeaderValueOption h : added) {
                exchange.getResponseHeaders().set(h.getHeader().getKey(), h.getHeader().getValue());
            }
            String body = answer.hasDeniedResponse() ? answer.getDeniedResponse().getBody() : COMPLETION;
            if (!answer.hasDeniedResponse()) {
                exchange.getResponseHeaders().set("content-type", "application/json");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static CheckRequest withBody(CheckRequest r, String body) {
        return Requests.withAttributes(r, AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder()
                .setHttp(r.getAttributes().getRequest().getHttp().toBuilder().setBody(body))));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
