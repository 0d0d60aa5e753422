package dev.keymeter.fleet;

import dev.keymeter.quota.FleetBudget;
import dev.keymeter.quota.FleetStore;
import dev.keymeter.quota.RollingWindow;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The fleet's counters in Redis, standalone or Cluster, through one Lettuce client and its async
 * API: three Lua scripts, each touching one key, so that they run unchanged on a Cluster (a key's
 * counters share the hash tag {@code {km:<keyId>}}, one slot). Scripts are sent by digest
 * ({@code EVALSHA}) and re-sent whole once when a server does not know them yet.
 *
 * <p>Lettuce's defaults are changed where design §7 says they must be: every command has a timeout
 * (infinite by default), commands to a standalone server fail at once while it is disconnected
 * instead of queueing (on a Cluster they wait for the node's connection, up to the timeout), and a
 * Cluster's topology is refreshed periodically and on redirects. The first connection is retried in
 * the background every second: a sidecar starts, and serves, without Redis.
 */
public final class RedisFleetStore implements FleetStore {

    private static final Logger LOG = System.getLogger("keymeter.fleet");
    /** A command not answered within this fails; the sync counts it as an error and tries again. */
    static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
    static final String MEMBERS_KEY = "km:sidecars";

    private static final Script SYNC_REQUESTS = Script.load("sync-requests.lua");
    private static final Script HEARTBEAT = Script.load("heartbeat.lua");
    private static final Script SYNC_BUDGET = Script.load("sync-budget.lua");

    private final BudgetsStore where;
    private final AbstractRedisClient client;
    private final ScheduledExecutorService connector;
    private volatile StatefulConnection<String, String> connection;
    private volatile RedisClusterAsyncCommands<String, String> commands;
    private volatile boolean closed;
    private volatile String lastConnectFailure;

    private record Script(String text, String sha1) {
        static Script load(String name) {
            try (InputStream in = RedisFleetStore.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + name);
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
                return new Script(text, HexFormat.of().formatHex(digest));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private RedisFleetStore(BudgetsStore where) {
        this.where = where;
        this.client = where.cluster() ? clusterClient(where) : standaloneClient(where);
        this.connector = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "keymeter-redis-connect");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts connecting to {@code where} (a Redis store); returns at once. */
    public static RedisFleetStore start(BudgetsStore where) {
        if (where.local()) {
            throw new IllegalArgumentException("--budgets-store local needs no Redis");
        }
        RedisFleetStore store = new RedisFleetStore(where);
        store.connector.execute(store::connect);
        return store;
    }

    /** True once connected (Lettuce reconnects by itself after that). */
    public boolean connected() {
        StatefulConnection<String, String> c = connection;
        return c != null && c.isOpen();
    }

    @Override
    public CompletionStage<Long> syncRequests(String keyId, long epoch, String sidecarId, long second, long[] counts) {
        if (counts.length != RollingWindow.SLOTS) {
            throw new IllegalArgumentException("counts must have " + RollingWindow.SLOTS + " elements");
        }
        List<String> args = new ArrayList<>(2 + 2 * counts.length);
        args.add(sidecarId);
        args.add(Long.toString(second));
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                args.add(Integer.toString(i));
                args.add(Long.toString(counts[i]));
            }
        }
        return run(SYNC_REQUESTS, ScriptOutputType.INTEGER, requestsKey(keyId, epoch), args.toArray(String[]::new));
    }

    @Override
    public CompletionStage<BudgetGrant> syncBudget(BudgetSync s) {
        long periodEnd = s.periodEndMillis() == Long.MAX_VALUE ? 0 : s.periodEndMillis();
        String[] args = {s.sidecarId(), s.incarnation(), Long.toString(s.seq()), Long.toString(s.used()),
                Long.toString(s.keep()), Long.toString(s.want()), Long.toString(s.limit()),
                Integer.toString(s.sidecars()), Long.toString(s.leaseMillis()), Long.toString(periodEnd)};
        return this.<List<Object>>run(SYNC_BUDGET, ScriptOutputType.MULTI,
                        budgetKey(s.keyId(), s.kind(), s.epoch(), s.periodIndex()), args)
                .thenApply(r -> new BudgetGrant((Long) r.get(0), (Long) r.get(1), (Long) r.get(2)));
    }

    @Override
    public CompletionStage<Integer> heartbeat(String sidecarId, long ttlMillis) {
        return this.<Long>run(HEARTBEAT, ScriptOutputType.INTEGER, MEMBERS_KEY, sidecarId, Long.toString(ttlMillis))
                .thenApply(Long::intValue);
    }

    /** The Redis key of a key's request counts: its hash tag puts all of the key's counters in one slot. */
    static String requestsKey(String keyId, long epoch) {
        return "{km:" + keyId + "}:rpm:" + epoch;
    }

    /** The Redis key of one period of a key's token or cost budget: the same hash tag, the same slot. */
    static String budgetKey(String keyId, FleetBudget.Kind kind, long epoch, long periodIndex) {
        return "{km:" + keyId + "}:" + kind.tag() + ":" + epoch + ":" + periodIndex;
    }

    private <T> CompletionStage<T> run(Script script, ScriptOutputType type, String key, String... args) {
        RedisClusterAsyncCommands<String, String> c = commands;
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to " + where));
        }
        String[] keys = {key};
        CompletionStage<T> bySha = c.evalsha(script.sha1(), type, keys, args);
        return bySha.exceptionallyCompose(e -> isNoScript(e)
                ? c.<T>eval(script.text(), type, keys, args)
                : CompletableFuture.failedFuture(e));
    }

    private static boolean isNoScript(Throwable e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof RedisNoScriptException || (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT"))) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            StatefulConnection<String, String> c;
            if (client instanceof RedisClusterClient cluster) {
                var clusterConnection = cluster.connect();
                commands = clusterConnection.async();
                c = clusterConnection;
            } else {
                var standalone = ((RedisClient) client).connect();
                commands = standalone.async();
                c = standalone;
            }
            connection = c;
            LOG.log(Level.INFO, "fleet budgets: connected to {0}", where);
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!why.equals(lastConnectFailure)) {
                LOG.log(Level.WARNING, "fleet budgets: cannot reach {0} ({1}); each key keeps to its last"
                        + " share, then to its limit divided by the sidecars last counted; retrying every second",
                        where, why);
                lastConnectFailure = why;
            }
            if (!closed) {
                connector.schedule(this::connect, 1, TimeUnit.SECONDS);
            }
        }
    }

    private static RedisURI uri(BudgetsStore where, BudgetsStore.Node node) {
        RedisURI.Builder b = RedisURI.builder().withHost(node.host()).withPort(node.port()).withSsl(where.tls())
                .withTimeout(COMMAND_TIMEOUT).withDatabase(where.database());
        if (where.password() != null) {
            if (where.user() != null) {
                b.withAuthentication(where.user(), where.password().toCharArray());
            } else {
                b.withPassword(where.password().toCharArray());
            }
        }
        return b.build();
    }

    private static RedisClient standaloneClient(BudgetsStore where) {
        RedisClient c = RedisClient.create(uri(where, where.nodes().get(0)));
        c.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).build())
                .build());
        return c;
    }

    private static RedisClusterClient clusterClient(BudgetsStore where) {
        List<RedisURI> seeds = where.nodes().stream().map(n -> uri(where, n)).toList();
        RedisClusterClient c = RedisClusterClient.create(seeds);
        // Lettuce opens a node's connection when the first command for its slots comes: rejecting
        // commands while disconnected would fail that first command of every node. Commands are
        // accepted while a node (re)connects instead, and the command timeout still ends each one
        // within 500 ms, so a sync never waits longer than on a standalone server.
        c.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).build())
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .enableAllAdaptiveRefreshTriggers()
                        .build())
                .build());
        return c;
    }

    @Override
    public void close() {
        closed = true;
        connector.shutdownNow();
        StatefulConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @Override
    public String toString() {
        return where.toString();
    }
}
