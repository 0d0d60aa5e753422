package dev.keymeter.bench;

import dev.keymeter.check.CheckReply;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The whole Check decision (token parse → digest → replica lookup → route → permission → response)
 * on a persisted Chronicle replica of 1,000 and 1,000,000 keys, with uniform and Zipf(s = 1) access.
 * The request objects are built before measuring, so the figure is keymeter's work, not protobuf
 * parsing (h2load measures that part end to end). Built requests are cold in the CPU's caches, unlike
 * the one gRPC has just parsed; {@link KeyCountInterleaved} with {@code parsed} decides those
 * ({@link DecisionSetup}).
 *
 * <p>Run:
 * <pre>
 * mvn -B -q -Pbench -DskipTests package -pl authz-server -am
 * java -jar authz-server/target/benchmarks.jar CheckDecisionBenchmark
 * </pre>
 * Target (issue): median ≤ 3 µs/op on one thread; at 1 M keys (Zipf) within 1.5× of 1 k keys. Each
 * key count runs in its own JVM here; {@link KeyCountInterleaved} compares the two in one, and
 * {@link KeyCountOverGrpc} inside real Check servers, where gRPC's work runs between decisions.
 */
@State(Scope.Benchmark)
public class CheckDecisionBenchmark extends DecisionBenchmarkRun {

    private static final int SEQUENCE = 1 << 16;

    @Param({"1000", "1000000"})
    public int keys;

    @Param({"uniform", "zipf"})
    public String access;

    private DecisionSetup setup;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        setup = new DecisionSetup(keys, access, SEQUENCE);
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
    public CheckReply decide(Cursor cursor) {
        return setup.decide(cursor.next++);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        setup.close();
    }

}
