package dev.keymeter.bench;

import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckReply;
import dev.keymeter.check.CheckService;
import dev.keymeter.check.CheckSettings;
import dev.keymeter.check.DecisionListener;
import dev.keymeter.check.LastUsedTracker;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the decision benchmarks decide against: a persisted Chronicle replica of N keys in a temp
 * directory, the hot-entry cache in front of it as the sidecar serves it, an {@link Authorizer} (its
 * last-used logs merged every 50 ms on another thread, as in the sidecar), and a sequence of requests
 * built before measuring (so the figure is keymeter's work, not protobuf parsing).
 *
 * <p>Built requests sit in memory for the whole run, so a decision finds its request's objects cold
 * (65,536 requests do not fit in the CPU's caches), on either key count. The sidecar's decision runs
 * right after gRPC parsed the request, with its objects just allocated and still cached;
 * {@link KeyCountInterleaved} can parse each request again before its decision ({@link #request}).
 */
final class DecisionSetup {

    private final Path dir;
    private final ChronicleKeyReplica replica;
    private final Authorizer authorizer;
    private final CheckRequest[] requests;
    private final LastUsedTracker lastUsed = new LastUsedTracker();
    /** Merges the threads' logs every 50 ms, as the sidecar's background thread does. */
    private final ScheduledExecutorService merges = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-last-used-merge");
        t.setDaemon(true);
        return t;
    });

    /** {@code length} requests (a power of two) over {@code keys} keys, by {@code access} (uniform or zipf). */
    DecisionSetup(int keys, String access, int length) throws IOException {
        this(keys, access, length, DecisionListener.NONE);
    }

    /** Like {@link #DecisionSetup(int, String, int)}, with {@code listener} hearing every decision. */
    DecisionSetup(int keys, String access, int length, DecisionListener listener) throws IOException {
        dir = Files.createTempDirectory("keymeter-bench-");
        replica = ChronicleKeyReplica.open(dir, keys + keys / 2 + 1024);
        KeyPopulation population = KeyPopulation.load(replica, keys);
        authorizer = Authorizer.builder(new CachingKeyReplica(replica, CachingKeyReplica.DEFAULT_SLOTS),
                Clock.systemUTC(), CheckSettings.defaults()).listener(listener).lastUsed(lastUsed).build();
        merges.scheduleWithFixedDelay(lastUsed::mergeLogs, 50, 50, TimeUnit.MILLISECONDS);
        int[] sequence = population.accessSequence(access, length, 42);
        requests = new CheckRequest[length];
        for (int i = 0; i < length; i++) {
            requests[i] = CheckDecisionBenchmark.request(population.tokens[sequence[i]]);
        }
        CheckResponse probe = authorizer.check(requests[0]);
        if (probe.getStatus().getCode() != 0) {
            throw new IllegalStateException("the benchmark request is not allowed: " + probe.getStatus());
        }
    }

    /**
     * Decides request {@code index} of the sequence (taken modulo its length), as the gRPC service does:
     * the reply as it is sent ({@link Authorizer#decide}; a hot key's reply carries its wire bytes).
     */
    CheckReply decide(int index) {
        return authorizer.decide(requests[index & (requests.length - 1)]);
    }

    /** Request {@code index} of the sequence (taken modulo its length). */
    CheckRequest request(int index) {
        return requests[index & (requests.length - 1)];
    }

    /** Decides {@code request}, e.g. a parsed copy of one of {@link #request}. */
    CheckReply decide(CheckRequest request) {
        return authorizer.decide(request);
    }

    /** Runs {@code task} every 50 ms on the thread that merges the last-used logs (e.g. metrics' flush). */
    void every50Millis(Runnable task) {
        merges.scheduleWithFixedDelay(task, 50, 50, TimeUnit.MILLISECONDS);
    }

    /** The gRPC Check service around this setup's authorizer, as the sidecar serves it. */
    CheckService service() {
        return new CheckService(authorizer, () -> true);
    }

    void close() throws IOException {
        merges.shutdownNow();
        replica.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
