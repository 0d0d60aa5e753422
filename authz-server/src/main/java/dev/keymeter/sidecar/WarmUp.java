package dev.keymeter.sidecar;

import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckService;
import dev.keymeter.check.CheckSettings;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTable;
import dev.keymeter.usage.Reservations;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;

/**
 * Check's path exercised before the sidecar says it is ready: the first seconds of a cold JVM serve a
 * fraction of steady-state throughput (design §4b), so Envoy should not be sent there yet.
 *
 * <p>The Checks go through the sidecar's own code — {@link CheckService} with its request reader and
 * reply marshaller, {@link Authorizer} with the configured routes and token headers, the budget step —
 * over an in-process gRPC server, but touch nothing a user sees: the key is the warm-up's own
 * ({@link WarmUpReplica}), counted in a heap store and reservations thrown away afterwards, with no
 * decision listener (no metric, no denial log line), its own last-used tracker (no report, no audit),
 * and no usage report. An unknown token is looked up in the real replica, which only reads.
 *
 * <p>Runs on one thread until {@code maxChecks} Checks, {@code maxTime}, or {@link #stop()}.
 */
final class WarmUp {

    /** What the warm-up did: Checks made and how long it took. */
    record Result(int checks, long millis) {
    }

    /** Every how many Checks one goes through the in-process gRPC server. */
    static final int THROUGH_GRPC = 16;

    private final WarmUpSettings settings;
    private final KeyReplica realReplica;
    private final Clock clock;
    private final CheckSettings check;
    private final PriceTable prices;
    private volatile boolean stopped;

    WarmUp(WarmUpSettings settings, KeyReplica realReplica, SidecarConfig config) {
        this.settings = settings;
        this.realReplica = realReplica;
        this.clock = config.clock();
        this.check = config.check();
        this.prices = config.budgets().prices();
    }

    /** Ends {@link #run()} after the Check in progress. */
    void stop() {
        stopped = true;
    }

    Result run() {
        long started = System.nanoTime();
        WarmUpReplica replica = new WarmUpReplica(realReplica);
        Budgets budgets = new Budgets(new HeapCounterStore(16), prices,
                new Reservations(Reservations.DEFAULT_TTL_MILLIS, 1_000));
        Authorizer authorizer = Authorizer.builder(new CachingKeyReplica(replica, 64), clock, check)
                .budgets(budgets).build();
        String name = InProcessServerBuilder.generateName();
        Server server = startServer(name, new CheckService(authorizer, () -> true));
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            int checks = checks(authorizer, AuthorizationGrpc.newBlockingStub(channel), requests(replica.token()),
                    started + settings.maxTime().toNanos());
            return new Result(checks, (System.nanoTime() - started) / 1_000_000);
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }
    }

    /**
     * One Check in {@link #THROUGH_GRPC} goes through the gRPC server (the request reader, the reply
     * marshaller, the service); the others call the decision directly. A cold in-process call costs
     * ~0.8 ms here against tens of µs for the decision alone, and the decision is where the time of a
     * warm Check goes: this way 1 s reaches the Checks the JIT needs to compile it.
     */
    private int checks(Authorizer authorizer, AuthorizationGrpc.AuthorizationBlockingStub stub,
            List<CheckRequest> requests, long deadlineNanos) {
        int checks = 0;
        while (checks < settings.maxChecks() && !stopped && System.nanoTime() < deadlineNanos) {
            CheckRequest request = requests.get(checks % requests.size());
            if (checks % THROUGH_GRPC == 0) {
                stub.check(request);
            } else {
                authorizer.decide(request);
            }
            checks++;
        }
        return checks;
    }

    private static Server startServer(String name, CheckService service) {
        try {
            return InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("the warm-up server did not start", e);
        }
    }

    /** Mostly allowed chat requests of the warm-up key, with the denials Envoy sees every day between them. */
    private static List<CheckRequest> requests(String token) {
        String body = "{\"model\":\"warm-up\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        CheckRequest chat = request("POST", "/v1/chat/completions", "authorization", "Bearer " + token, body);
        CheckRequest models = request("GET", "/v1/models", "x-api-key", token, "");
        String unknown = TokenFormat.generate(TokenType.SERVICE_ACCOUNT);
        CheckRequest unknownKey = request("POST", "/v1/chat/completions", "authorization", "Bearer " + unknown, body);
        CheckRequest noToken = request("POST", "/v1/chat/completions", "x-request-id", "warm-up", body);
        return List.of(chat, chat, chat, models, chat, chat, unknownKey, chat, noToken);
    }

    private static CheckRequest request(String method, String path, String header, String value, String body) {
        AttributeContext.HttpRequest http = AttributeContext.HttpRequest.newBuilder()
                .setMethod(method).setPath(path).setBody(body)
                .putHeaders(":authority", "warm-up.invalid").putHeaders("content-type", "application/json")
                .putHeaders("x-request-id", "warm-up").putHeaders(header, value).build();
        return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.newBuilder().setHttp(http))).build();
    }
}
