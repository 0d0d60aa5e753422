package dev.keymeter.check;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keymeter.proto.admin.v1.AccessLevel;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTableJson;
import dev.keymeter.usage.Reservations;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes Check end to end: request bytes made from fuzz input ({@link FuzzedCheckRequests}) go to the
 * real {@link CheckService} on an in-process gRPC server (parsed there, as from Envoy), in front of the
 * real Chronicle replica holding a few keys and real budgets. Every request must get a
 * {@link CheckResponse} (a gRPC error is a finding), and an allow must name a key that authenticates at
 * that instant and whose token the request carries verbatim.
 *
 * <p>{@code mvn verify} replays the seed inputs under {@code CheckFuzzTestInputs/}; how to fuzz is in
 * docs/fuzzing.md.
 */
class CheckFuzzTest {

    private static final Instant START = TestKeys.NOW;
    /** Sends the request as bytes, so that the server parses what the fuzz input encoded. */
    private static final MethodDescriptor<byte[], CheckResponse> RAW_CHECK = AuthorizationGrpc.getCheckMethod()
            .toBuilder(new BytesMarshaller(), AuthorizationGrpc.getCheckMethod().getResponseMarshaller()).build();

    @TempDir
    static Path dir;
    private static final MutableClock clock = new MutableClock(START);
    /** key id → token, and key id → the instant until which the key authenticates with it. */
    private static final Map<String, String> tokenOf = new HashMap<>();
    private static final Map<String, Instant> validUntil = new HashMap<>();
    private static List<String> tokens;
    private static CachingKeyReplica replica;
    private static Server server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws IOException {
        replica = new CachingKeyReplica(ChronicleKeyReplica.open(dir.resolve("keys"), 1_024), 64);
        replica.beginSnapshot(1);
        key("key_all", Instant.MAX, r -> r);
        key("key_read", Instant.MAX, r -> r.setPermissions(Permissions.newBuilder()
                .setPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY))
                .setLimits(Limits.newBuilder().setRequestsPerMinute(50).setTokenLimit(1_000_000)));
        key("key_restricted", Instant.MAX, r -> r.setProjectId("proj_2").setPermissions(Permissions.newBuilder()
                .setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)
                .putResources("files", AccessLevel.ACCESS_LEVEL_WRITE)
                .putResources("models", AccessLevel.ACCESS_LEVEL_READ))
                .setLimits(Limits.newBuilder().setCostLimitMicroUsd(5_000_000)));
        key("key_admin", Instant.MAX, r -> r.setKind(dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_ADMIN)
                .clearProjectId());
        key("key_expiring", START.plus(Duration.ofHours(2)), r -> r.setExpireTime(
                TestKeys.timestamp(START.plus(Duration.ofHours(2)))));
        key("key_disabled", Instant.MIN, r -> r.setStatus(KeyStatus.KEY_STATUS_DISABLED));
        key("key_revoked", Instant.MIN, r -> r.setStatus(KeyStatus.KEY_STATUS_REVOKED));
        tokens = List.copyOf(tokenOf.values());
        replica.endSnapshot(1);
        Budgets budgets = new Budgets(new HeapCounterStore(1_000), PriceTableJson.parse("""
                {"models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}}"""),
                new Reservations(60_000, 1_000));
        Authorizer authorizer = Authorizer.builder(replica, clock, CheckSettings.defaults()).budgets(budgets).build();
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new CheckService(authorizer, replica::isLoaded)).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    private static void key(String id, Instant until, java.util.function.UnaryOperator<KeyRecord.Builder> shape) {
        String token = TestKeys.userToken();
        tokenOf.put(id, token);
        validUntil.put(id, until);
        replica.upsert(shape.apply(TestKeys.projectKey(id, token)).build());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        replica.close();
    }

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void check_fuzzedRequest_answersAndAllowsOnlyStoredKeys(FuzzedDataProvider data) {
        decide(data);
    }

    /**
     * The first finding of this target, kept as it was found: a header value that is not valid UTF-8
     * (here in {@code attributes.request.http.headers}) used to fail to parse before Check saw it, and
     * gRPC answered UNKNOWN ("Application error processing RPC", caused by "Protocol message had
     * invalid UTF-8") and logged a SEVERE line. Check now reads the request itself and answers 400
     * naming the header ({@code CheckRequestReader}); this input replays that.
     */
    @FuzzTest
    void check_invalidUtf8Header_answersWithADecision(FuzzedDataProvider data) {
        decide(data);
    }

    private static void decide(FuzzedDataProvider data) {
        clock.advance(Duration.ofMillis(data.consumeInt(0, 120_000)));
        byte[] request = FuzzedCheckRequests.from(data, tokens);
        // A gRPC error (INTERNAL, UNKNOWN, ...) throws here: a finding.
        CheckResponse response = ClientCalls.blockingUnaryCall(channel, RAW_CHECK,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
        assertNotNull(response.getStatus());
        if (response.getStatus().getCode() != 0) {
            assertTrue(response.hasDeniedResponse(), "a denial without a denied_response");
            return;
        }
        String keyId = identity(response);
        Instant until = validUntil.get(keyId);
        if (until == null || !clock.instant().isBefore(until)) {
            fail("allowed " + keyId + " at " + clock.instant() + " (authenticates until " + until + ")");
        }
        assertTrue(contains(request, tokenOf.get(keyId).getBytes(StandardCharsets.US_ASCII)),
                () -> "allowed " + keyId + " for a request without its token");
    }

    private static String identity(CheckResponse response) {
        for (HeaderValueOption h : response.getOkResponse().getHeadersList()) {
            if (h.getHeader().getKey().equals(Headers.KEY_ID)) {
                return h.getHeader().getValue();
            }
        }
        return fail("an allow without " + Headers.KEY_ID);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Request bytes as they are. */
    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

}
