package dev.keymeter.bench;

import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckSettings;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.replica.KeyReplica;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole Check decision (token parse → digest → replica lookup → route → permission → response)
 * on a persisted Chronicle replica of 1,000 and 1,000,000 keys, with uniform and Zipf(s = 1) access.
 * The request objects are built before measuring, so the figure is keymeter's work, not protobuf
 * parsing (h2load measures that part end to end).
 *
 * <p>Run:
 * <pre>
 * mvn -B -q -Pbench -DskipTests package -pl authz-server -am
 * java -jar authz-server/target/benchmarks.jar CheckDecisionBenchmark
 * </pre>
 * Target (issue): median ≤ 3 µs/op on one thread; at 1 M keys (Zipf) within 1.5× of 1 k keys.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {ChronicleJvmFlags.OPEN_LANG, ChronicleJvmFlags.OPEN_REFLECT,
    ChronicleJvmFlags.EXPORT_NIO, ChronicleJvmFlags.EXPORT_REF, ChronicleJvmFlags.EXPORT_JAVAC,
    ChronicleJvmFlags.NO_ANALYTICS, ChronicleJvmFlags.NO_ANNOUNCER, "-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"})
@State(Scope.Benchmark)
public class CheckDecisionBenchmark {

    private static final int SEQUENCE = 1 << 16;

    @Param({"1000", "1000000"})
    public int keys;

    @Param({"uniform", "zipf"})
    public String access;

    private Path dir;
    private ChronicleKeyReplica replica;
    private Authorizer authorizer;
    private CheckRequest[] requests;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("keymeter-bench-");
        replica = ChronicleKeyReplica.open(dir, keys + keys / 2 + 1024);
        KeyPopulation population = KeyPopulation.load(replica, keys);
        // As the sidecar serves it: the hot-entry cache in front of the Chronicle replica.
        KeyReplica served = new CachingKeyReplica(replica, CachingKeyReplica.DEFAULT_SLOTS);
        authorizer = new Authorizer(served, Clock.systemUTC(), CheckSettings.defaults());
        int[] sequence = population.accessSequence(access, SEQUENCE, 42);
        requests = new CheckRequest[SEQUENCE];
        for (int i = 0; i < SEQUENCE; i++) {
            requests[i] = request(population.tokens[sequence[i]]);
        }
        CheckResponse probe = authorizer.check(requests[0]);
        if (probe.getStatus().getCode() != 0) {
            throw new IllegalStateException("the benchmark request is not allowed: " + probe.getStatus());
        }
    }

    /** What Envoy sends for {@code POST /v1/chat/completions} with a bearer token. */
    static CheckRequest request(String token) {
        AttributeContext.HttpRequest http = AttributeContext.HttpRequest.newBuilder()
                .setMethod("POST")
                .setPath("/v1/chat/completions")
                .setHost("gateway.example.com")
                .putHeaders(":method", "POST")
                .putHeaders(":path", "/v1/chat/completions")
                .putHeaders(":authority", "gateway.example.com")
                .putHeaders("authorization", "Bearer " + token)
                .putHeaders("content-type", "application/json")
                .putHeaders("x-request-id", "9f2c1a64-3b1e-4d7a-9d59-2f0c6e8b7a11")
                .build();
        return CheckRequest.newBuilder()
                .setAttributes(AttributeContext.newBuilder()
                        .setRequest(AttributeContext.Request.newBuilder().setHttp(http)))
                .build();
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    public CheckResponse decide(Cursor cursor) {
        CheckRequest request = requests[cursor.next];
        cursor.next = (cursor.next + 1) & (SEQUENCE - 1);
        return authorizer.check(request);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        replica.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

}
