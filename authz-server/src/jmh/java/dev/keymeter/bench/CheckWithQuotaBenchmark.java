package dev.keymeter.bench;

import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckReply;
import dev.keymeter.check.CheckSettings;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import dev.keymeter.quota.ChronicleCounterStore;
import dev.keymeter.quota.CounterStore;
import dev.keymeter.quota.FleetStore;
import dev.keymeter.quota.FleetSync;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTableJson;
import dev.keymeter.usage.Reservations;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The whole Check decision with budgets enforced ({@link Budgets}), for keys that have a
 * requests-per-minute, a token and a cost limit (none reached: the admitted path, with its
 * rate-limit and budget headers built) beside the same decision for keys without limits, in the same
 * run, on one thread. 1,000 keys in a persisted Chronicle replica behind the hot-entry cache (as the
 * sidecar serves it), 500 with limits and 500 without, each method cycling uniformly over its 500.
 *
 * <p>{@code counters}: the heap store or the persisted Chronicle store. {@code budgets}: {@code local}
 * (this sidecar counts alone) or {@code fleet} (every limit shared through a fleet sync, as with
 * {@code --budgets-store}: the requests allowance taken and settled, the token and cost allotments
 * applied and re-checked on the Check thread, a background thread syncing every 25 ms with an
 * in-process store that answers at once — the Check thread's cost is what is measured, not Redis's). {@code body}: none (a
 * {@code with_request_body}-less Envoy), or a small chat-completions JSON naming a priced model and no
 * {@code max_tokens} (read for the model; no estimate, so no reservation is opened — an estimate
 * would open a reservation per request that only settlement removes, which a benchmark loop cannot
 * provide).
 *
 * <p>Each call is {@link Authorizer#decide}, as the gRPC service makes it: the reply as it is sent (a
 * key's kept reply and its model variants carry their wire bytes; other replies are encoded by the
 * transport, which this benchmark does not include).
 *
 * <p>Run:
 * <pre>
 * mvn -B -q -Pbench -DskipTests package -pl authz-server -am
 * java -jar authz-server/target/benchmarks.jar CheckWithQuotaBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * java -jar authz-server/target/benchmarks.jar CheckWithQuotaBenchmark.withLimits -p counters=chronicle -p body=none
 * </pre>
 * The second line compares local and shared (fleet) budgets in one run.
 * Target (issue): median ≤ 3 µs/op on one thread with quotas.
 */
@Threads(1)
@State(Scope.Benchmark)
public class CheckWithQuotaBenchmark extends DecisionBenchmarkRun {

    private static final int KEYS = 1000;
    private static final int SEQUENCE = 1 << 16;
    static final String PRICES = """
            {"models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}}
            """;
    static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Say hello in one word.\"}],\"temperature\":0.2}";
    /** Never reached: 4.29 G requests a minute, 10^12 tokens and 1 M USD a month. */
    private static final Limits LIMITS = Limits.newBuilder()
            .setRequestsPerMinute(0xFFFF_FFFEL)
            .setTokenLimit(1_000_000_000_000L)
            .setCostLimitMicroUsd(1_000_000_000_000L)
            .setResetPeriod(ResetPeriod.RESET_PERIOD_MONTHLY)
            .build();

    @Param({"heap", "chronicle"})
    public String counters;

    @Param({"none", "chat"})
    public String body;

    @Param({"local", "fleet"})
    public String budgets;

    private Path dir;
    private ChronicleKeyReplica replica;
    private CounterStore store;
    private Authorizer authorizer;
    private CheckRequest[] limited;
    private CheckRequest[] unlimited;
    private ScheduledExecutorService fleetTicker;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("keymeter-bench-");
        replica = ChronicleKeyReplica.open(dir.resolve("replica"), KEYS * 2L);
        store = switch (counters) {
            case "heap" -> new HeapCounterStore(KEYS * 2L);
            case "chronicle" -> ChronicleCounterStore.open(dir.resolve("counters"), KEYS * 2L);
            default -> throw new IllegalArgumentException("counters must be heap or chronicle, was " + counters);
        };
        String[] tokens = load(replica);
        KeyReplica served = new CachingKeyReplica(replica, CachingKeyReplica.DEFAULT_SLOTS);
        Budgets counted = new Budgets(store, PriceTableJson.parse(PRICES),
                new Reservations(Reservations.DEFAULT_TTL_MILLIS, 100_000), fleet());
        authorizer = Authorizer.builder(served, Clock.systemUTC(), CheckSettings.defaults()).budgets(counted).build();
        String requestBody = body.equals("chat") ? CHAT : body.equals("none") ? null : fail(body);
        SplittableRandom random = new SplittableRandom(42);
        limited = new CheckRequest[SEQUENCE];
        unlimited = new CheckRequest[SEQUENCE];
        for (int i = 0; i < SEQUENCE; i++) {
            // Even keys have limits, odd keys none.
            limited[i] = request(tokens[2 * random.nextInt(KEYS / 2)], requestBody);
            unlimited[i] = request(tokens[2 * random.nextInt(KEYS / 2) + 1], requestBody);
        }
        expect(authorizer.check(limited[0]), true);
        expect(authorizer.check(unlimited[0]), false);
    }

    /** {@code null} for local budgets; for {@code fleet}, a sync ticking on a thread of its own. */
    private FleetSync fleet() {
        switch (budgets) {
            case "local" -> {
                return null;
            }
            case "fleet" -> {
                FleetSync sync = new FleetSync(new AnsweringStore(), FleetSync.Settings.defaults("bench"),
                        System::currentTimeMillis);
                fleetTicker = Executors.newSingleThreadScheduledExecutor(task -> {
                    Thread thread = new Thread(task, "bench-fleet-sync");
                    thread.setDaemon(true);
                    return thread;
                });
                fleetTicker.scheduleWithFixedDelay(sync::tick, 0, 25, TimeUnit.MILLISECONDS);
                return sync;
            }
            default -> throw new IllegalArgumentException("budgets must be local or fleet, was " + budgets);
        }
    }

    /** A fleet of one that answers every call at once: the fleet count is this sidecar's own. */
    private static final class AnsweringStore implements FleetStore {
        @Override
        public CompletionStage<Long> syncRequests(String keyId, long epoch, String sidecarId, long second,
                long[] counts) {
            long sum = 0;
            for (long c : counts) {
                sum += c;
            }
            return CompletableFuture.completedFuture(sum);
        }

        @Override
        public CompletionStage<BudgetGrant> syncBudget(BudgetSync s) {
            long allotment = Math.min(s.limit(), Math.max(s.used(), s.keep()) + s.want());
            return CompletableFuture.completedFuture(new BudgetGrant(allotment, allotment, s.used()));
        }

        @Override
        public CompletionStage<Integer> heartbeat(String sidecarId, long ttlMillis) {
            return CompletableFuture.completedFuture(1);
        }

        @Override
        public void close() {
        }
    }

    private static String fail(String body) {
        throw new IllegalArgumentException("body must be none or chat, was " + body);
    }

    /** Allowed, and with the rate-limit headers exactly when the key has limits. */
    private static void expect(CheckResponse r, boolean rateLimitHeaders) {
        if (r.getStatus().getCode() != 0) {
            throw new IllegalStateException("the benchmark request is not allowed: " + r);
        }
        boolean has = r.getOkResponse().getResponseHeadersToAddList().stream()
                .map(HeaderValueOption::getHeader)
                .anyMatch(h -> h.getKey().equals("x-ratelimit-limit-requests"));
        if (has != rateLimitHeaders) {
            throw new IllegalStateException("expected rate-limit headers " + rateLimitHeaders + ": " + r);
        }
    }

    /** {@link #KEYS} project keys, restricted as in {@link KeyPopulation}; the even ones with {@link #LIMITS}. */
    private static String[] load(KeyReplica replica) {
        return KeyPopulation.load(replica, KEYS, (record, i) -> {
            if (i % 2 == 0) {
                record.setLimits(LIMITS);
            }
        }).tokens;
    }

    /** The benchmark's request for {@code token}, with {@code body} (null: none) as Envoy forwards it. */
    static CheckRequest request(String token, String body) {
        CheckRequest plain = CheckDecisionBenchmark.request(token);
        if (body == null) {
            return plain;
        }
        AttributeContext.HttpRequest http = plain.getAttributes().getRequest().getHttp().toBuilder()
                .setBody(body)
                .setSize(body.length())
                .putHeaders("content-length", Integer.toString(body.length()))
                .build();
        return plain.toBuilder()
                .setAttributes(plain.getAttributes().toBuilder()
                        .setRequest(plain.getAttributes().getRequest().toBuilder().setHttp(http)))
                .build();
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    public CheckReply withLimits(Cursor cursor) {
        CheckRequest request = limited[cursor.next];
        cursor.next = (cursor.next + 1) & (SEQUENCE - 1);
        return authorizer.decide(request);
    }

    @Benchmark
    public CheckReply withoutLimits(Cursor cursor) {
        CheckRequest request = unlimited[cursor.next];
        cursor.next = (cursor.next + 1) & (SEQUENCE - 1);
        return authorizer.decide(request);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (fleetTicker != null) {
            fleetTicker.shutdownNow();
        }
        store.close();
        replica.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
