package dev.keymeter.bench;

import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckService;
import dev.keymeter.check.CheckSettings;
import dev.keymeter.fleet.BudgetsStore;
import dev.keymeter.fleet.RedisFleetStore;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.quota.FleetSync;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.quota.RollingWindow;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.sidecar.AuthzServerBuilder;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTableJson;
import dev.keymeter.usage.Reservations;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Server;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The two servers h2load compares, in one JVM with the same gRPC settings: keymeter's Check (a
 * Chronicle replica of N keys) and an Authorization service that allows at once. Writes the
 * gRPC-framed request bodies h2load sends (one allowed request with a valid token) and prints one
 * line {@code ready keymeter=<port> noop=<port> body=<file> pid=<pid>}. Stops on SIGTERM.
 *
 * <p>Arguments: the work directory, the number of keys, and the request: {@code plain} (the default:
 * Check alone, no budgets, no body) or {@code chat} (as the sidecar serves Envoy's shipped
 * configuration: budgets enforced, and a chat-completions body naming a priced model, forwarded by
 * {@code with_request_body}; the key has no limits, so its reply names the model and is not counted).
 *
 * <p>{@code limited}: budgets enforced for a key with a requests-per-minute limit that is never
 * reached, no body. With a fourth argument, a budgets store URI ({@code redis://HOST:PORT}), a third
 * server {@code fleet} decides the same requests with the limit shared through that store, as
 * {@code --budgets-store} does (its line adds {@code fleet=<port>}).
 *
 * <p>Started by {@code authz-server/bench/h2load-check.sh} and {@code h2load-fleet.sh}; not meant to
 * be run by hand.
 */
public final class CheckLoadServers {

    public static void main(String[] args) throws Exception {
        ChronicleFiles.disableAnalytics();
        Path dir = Path.of(args[0]);
        int keys = Integer.parseInt(args[1]);
        String shape = args.length > 2 ? args[2] : "plain";
        if (!shape.equals("plain") && !shape.equals("chat") && !shape.equals("limited")) {
            throw new IllegalArgumentException("request must be plain, chat or limited, was " + shape);
        }
        boolean chat = shape.equals("chat");
        boolean limited = shape.equals("limited");
        ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir.resolve("replica"), keys + keys / 2 + 1024);
        KeyPopulation population = !limited ? KeyPopulation.load(replica, keys)
                : KeyPopulation.load(replica, keys, (record, i) -> record.setLimits(
                        Limits.newBuilder().setRequestsPerMinute(RollingWindow.MAX_LIMIT)));
        // As the sidecar serves it: the hot-entry cache in front of the Chronicle replica.
        KeyReplica served = new CachingKeyReplica(replica, CachingKeyReplica.DEFAULT_SLOTS);
        CheckService check = checkService(served, chat || limited, null, keys);
        Server keymeter = AuthzServerBuilder.forAddress("127.0.0.1", 0, check).build().start();
        Server fleet = null;
        RedisFleetStore fleetStore = null;
        if (args.length > 3) {
            fleetStore = RedisFleetStore.start(BudgetsStore.parse(args[3]));
            FleetSync sync = new FleetSync(fleetStore, FleetSync.Settings.defaults("bench-" + ProcessHandle.current().pid()),
                    System::currentTimeMillis);
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "keymeter-fleet-sync");
                thread.setDaemon(true);
                return thread;
            });
            ticker.scheduleWithFixedDelay(sync::tick, 25, 25, TimeUnit.MILLISECONDS);
            fleet = AuthzServerBuilder.forAddress("127.0.0.1", 0, checkService(served, true, sync, keys)).build().start();
        }
        Server noop = AuthzServerBuilder.forAddress("127.0.0.1", 0, new NoOpAuthorizationServer()).build().start();
        CheckRequest request = CheckWithQuotaBenchmark.request(population.tokens[keys / 2],
                chat ? CheckWithQuotaBenchmark.CHAT : null);
        CheckResponse decided = check.authorizer().check(request);
        if (decided.getStatus().getCode() != 0) {
            throw new IllegalStateException("the load request would be denied; h2load would measure denials");
        }
        if (chat && !decided.getDynamicMetadata().containsFields("model")) {
            throw new IllegalStateException("the chat request's reply names no model: budgets did not read the body");
        }
        Path body = dir.resolve("check-request.bin");
        writeGrpcFrame(body, request);
        Server fleetServer = fleet;
        RedisFleetStore store = fleetStore;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            keymeter.shutdownNow();
            noop.shutdownNow();
            if (fleetServer != null) {
                fleetServer.shutdownNow();
                store.close();
            }
            replica.close();
        }));
        System.out.println("ready keymeter=" + keymeter.getPort() + " noop=" + noop.getPort()
                + (fleet == null ? "" : " fleet=" + fleet.getPort()) + " body=" + body
                + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
        keymeter.awaitTermination();
    }

    /** Check over {@code served}, with budgets (shared through {@code fleet} when it is not null) or without. */
    private static CheckService checkService(KeyReplica served, boolean budgets, FleetSync fleet, int keys) {
        Budgets counted = !budgets ? null : new Budgets(new HeapCounterStore(keys + 1024L),
                PriceTableJson.parse(CheckWithQuotaBenchmark.PRICES),
                new Reservations(Reservations.DEFAULT_TTL_MILLIS, 100_000), fleet);
        return new CheckService(Authorizer.builder(served, Clock.systemUTC(), CheckSettings.defaults())
                .budgets(counted).build(), () -> true);
    }

    /** gRPC's length-prefixed message: a 0 byte (not compressed), a 4-byte big-endian length, the bytes. */
    static void writeGrpcFrame(Path file, CheckRequest request) throws IOException {
        byte[] bytes = request.toByteArray();
        try (OutputStream out = Files.newOutputStream(file); DataOutputStream data = new DataOutputStream(out)) {
            data.writeByte(0);
            data.writeInt(bytes.length);
            data.write(bytes);
        }
    }
}
