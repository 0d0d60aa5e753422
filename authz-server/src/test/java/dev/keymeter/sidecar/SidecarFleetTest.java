package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.fleet.BudgetsStore;
import dev.keymeter.fleet.RedisServer;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.GetKeyUsageRequest;
import dev.keymeter.proto.admin.v1.KeyUsage;
import dev.keymeter.proto.admin.v1.SidecarUsage;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.OwnerType;
import com.google.protobuf.Value;
import dev.keymeter.proto.usage.v1.ReportRequest;
import dev.keymeter.proto.usage.v1.UsageServiceGrpc;
import dev.keymeter.ingest.IngestTokens;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real sidecars, one control plane, one real {@code redis-server}: a key with {@code rpm 20}
 * called alternately through both. Counted alone, each sidecar admitted 20 (40 in all); sharing
 * through Redis the fleet admits the key's limit, and the 429s carry the rate-limit headers.
 */
class SidecarFleetTest {

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void quietChronicle() {
        ChronicleFiles.disableAnalytics();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void check_twoSidecarsSharingRedis_admitTheKeysLimitAcrossBoth() throws Exception {
        Fleet fleet = startFleet(20);
        Sidecar a = fleet.a();
        Sidecar b = fleet.b();
        ManagedChannel toA = fleet.toA();
        ManagedChannel toB = fleet.toB();
        CreateKeyResponse key = fleet.key();
        AdminConnection admin = fleet.admin();
        await("both replicas hold the key", () -> status(toA, key) == 200 || status(toB, key) == 200);

        // The call above may have admitted one request; count from here on, 60 Checks alternated.
        int allowed = 0;
        int limited = 0;
        CheckResponse lastLimited = null;
        for (int i = 0; i < 60; i++) {
            CheckResponse r = AdminConnection.chatCheck(i % 2 == 0 ? toA : toB, key.getToken(), "{}");
            if (r.getStatus().getCode() == 0) {
                allowed++;
            } else {
                assertEquals(429, r.getDeniedResponse().getStatus().getCodeValue());
                limited++;
                lastLimited = r;
            }
        }
        // L = 20, N = 2: the stated bound L + ⌊L·(N − 1)/N⌋ = 30; counted alone it would be 40.
        assertTrue(allowed + 1 <= 30, "allowed " + allowed + " (+1 before), over the fleet bound 30");
        assertTrue(allowed + 1 >= 18, "allowed only " + allowed + " (+1 before) of the key's 20");
        assertEquals(60, allowed + limited);
        assertTrue(lastLimited != null);
        List<String> headers = lastLimited.getDeniedResponse().getHeadersList().stream()
                .map(h -> h.getHeader().getKey()).toList();
        assertTrue(headers.contains("retry-after"), headers.toString());
        assertTrue(headers.contains("x-ratelimit-limit-requests"), headers.toString());
        assertTrue(headers.contains("x-ratelimit-remaining-requests"), headers.toString());

        // The overview adds up both sidecars' reports and lists each one's part.
        a.reportUsage();
        b.reportUsage();
        KeyUsage usage = admin.stub().getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(key.getKey().getId()).build());
        assertEquals(allowed + 1, usage.getRequestsPerMinute().getUsed(), usage.toString());
        assertEquals(List.of("sidecar-a", "sidecar-b"),
                usage.getSidecarsList().stream().map(SidecarUsage::getSidecarId).toList());
        assertEquals(usage.getRequestsPerMinute().getUsed(),
                usage.getSidecarsList().stream().mapToLong(SidecarUsage::getRequestsLastMinute).sum());

        String metrics = scrape(a);
        assertTrue(metrics.contains("keymeter_fleet_sidecars 2.0"), "fleet gauge on /metrics");
        assertTrue(metrics.contains("keymeter_fleet_degraded 0.0"), "not degraded with Redis up");
        System.out.printf("fleet of 2, rpm 20, 60 Checks alternated: allowed=%d limited=%d (+1 while waiting)%n",
                allowed, limited);
    }

    /**
     * Redis killed while two sidecars share a key, then restarted empty: Checks keep answering (an
     * allow or a 429, never an error) on the fallback of ⌊L / N⌋ per sidecar, the degraded gauge says
     * so, and once Redis is back both sidecars re-assert their absolute counts: the fleet count is
     * exactly what was admitted, nothing lost, nothing counted twice.
     */
    @Test
    void check_redisKilledAndRestarted_degradesThenRecoversTheExactFleetCount() throws Exception {
        Fleet fleet = startFleet(40);
        RedisServer redis = fleet.redis();
        Sidecar a = fleet.a();
        Sidecar b = fleet.b();
        ManagedChannel toA = fleet.toA();
        ManagedChannel toB = fleet.toB();
        CreateKeyResponse key = fleet.key();
        await("both replicas hold the key", () -> status(toA, key) == 200 && status(toB, key) == 200);
        int allowed = 2; // the two calls that found the key
        allowed += calls(toA, toB, key, 10);

        redis.kill();
        await("both sidecars notice Redis is gone",
                () -> a.budgets().fleet().degraded() && b.budgets().fleet().degraded());
        assertTrue(scrape(a).contains("keymeter_fleet_degraded 1.0"), "the degraded gauge");
        int duringOutage = calls(toA, toB, key, 40); // every call answered: calls() fails on anything else
        allowed += duringOutage;
        assertTrue(allowed <= 2 * (40 / 2), "each sidecar keeps to ⌊40 / 2⌋ of its own; allowed " + allowed);

        redis.restart(); // empty, as after losing its data
        int admitted = allowed;
        await("both sidecars re-assert their counts: the fleet count is what was admitted",
                () -> fleetCount(a, key) == admitted && fleetCount(b, key) == admitted && !a.budgets().fleet().degraded());
        assertTrue(scrape(a).contains("keymeter_fleet_degraded 0.0"));
        System.out.printf("Redis killed and restarted: %d admitted in all (%d during the outage), fleet count %d%n",
                admitted, duringOutage, fleetCount(a, key));
    }

    /**
     * A key with 10,000 tokens a day, called alternately through both sidecars with an estimate of
     * about 1,010 tokens (max_tokens 1000), each allowed request reporting 800 tokens to the sidecar
     * that admitted it: the fleet uses the key's budget once, not once per sidecar — at most L plus
     * each sidecar's first request before its first allotment — and the 429s say type tokens.
     */
    @Test
    void check_twoSidecarsSharingATokenBudget_spendItOnceAcrossBoth() throws Exception {
        Fleet fleet = startFleet(Limits.newBuilder().setTokenLimit(10_000).build());
        CreateKeyResponse key = fleet.key();
        // Without max_tokens a Check has no estimate and reserves nothing.
        await("both replicas hold the key", () -> status(fleet.toA(), key) == 200 && status(fleet.toB(), key) == 200);
        String body = "{\"model\":\"gpt-4o\",\"max_tokens\":1000}";
        long used = 0;
        int allowed = 0;
        CheckResponse lastLimited = null;
        for (int i = 0; i < 80; i++) {
            ManagedChannel to = i % 2 == 0 ? fleet.toA() : fleet.toB();
            CheckResponse r = AdminConnection.chatCheck(to, key.getToken(), body);
            if (r.getStatus().getCode() == 0) {
                allowed++;
                used += 800;
                Value reservation = r.getDynamicMetadata().getFieldsMap().get("reservation_id");
                UsageServiceGrpc.newBlockingStub(to).withInterceptors(SidecarProcesses.ingestToken()).withDeadlineAfter(5, TimeUnit.SECONDS).report(
                        ReportRequest.newBuilder().setRequestId("req-" + i).setKeyId(key.getKey().getId())
                                .setReservationId(reservation == null ? "" : reservation.getStringValue())
                                .setModel("gpt-4o").setInputTokens(300).setOutputTokens(500).build());
            } else {
                assertEquals(429, r.getDeniedResponse().getStatus().getCodeValue(), r.toString());
                lastLimited = r;
            }
            Thread.sleep(20); // about one sync interval (50 ms) every two calls
        }
        long largestEstimate = 1_000 + (body.length() + 3) / 4;
        assertTrue(used <= 10_000 + 2 * largestEstimate, "the fleet used " + used + " tokens of 10,000");
        assertTrue(used >= 6_000, "allotments stranded most of the budget: used " + used);
        assertTrue(lastLimited != null, "80 requests of ~1,000 tokens against 10,000 must be refused at some point");
        assertTrue(lastLimited.getDeniedResponse().getBody().contains("\"type\":\"tokens\""),
                lastLimited.getDeniedResponse().getBody());
        List<String> headers = lastLimited.getDeniedResponse().getHeadersList().stream()
                .map(h -> h.getHeader().getKey()).toList();
        assertTrue(headers.contains("x-ratelimit-remaining-tokens") && headers.contains("retry-after"), headers.toString());

        fleet.a().reportUsage();
        fleet.b().reportUsage();
        KeyUsage usage = fleet.admin().stub().getKeyUsage(GetKeyUsageRequest.newBuilder()
                .setKeyId(key.getKey().getId()).build());
        assertEquals(used, usage.getTokens().getUsed(), "the overview adds up both sidecars' usage");
        String metrics = scrape(fleet.a());
        assertTrue(metrics.contains("keymeter_fleet_allotment_stranded{budget=\"tokens\"}"), "the stranded gauge");
        System.out.printf("fleet of 2, 10,000 tokens, 80 Checks of ~1,010 estimated / 800 used: allowed=%d used=%d%n",
                allowed, used);
    }

    /** One redis-server, a control plane with a key of {@code rpm} requests per minute, two sidecars sharing it. */
    private record Fleet(RedisServer redis, AdminConnection admin, CreateKeyResponse key, Sidecar a, Sidecar b,
            ManagedChannel toA, ManagedChannel toB) {
    }

    /** Starts a {@link Fleet}; returns once both sidecars count two live sidecars. */
    private Fleet startFleet(long rpm) throws Exception {
        return startFleet(Limits.newBuilder().setRequestsPerMinute(rpm).build());
    }

    private Fleet startFleet(Limits limits) throws Exception {
        RedisServer redis = RedisServer.start();
        open.add(redis);
        ControlPlane controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
        open.add(controlPlane);
        AdminConnection admin = new AdminConnection(controlPlane);
        open.add(admin);
        admin.stub().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        CreateKeyResponse key = admin.stub().createKey(CreateKeyRequest.newBuilder().setName("svc")
                .setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setLimits(limits).build());
        Sidecar a = sidecar(controlPlane, "a", redis);
        Sidecar b = sidecar(controlPlane, "b", redis);
        await("both sidecars count two live sidecars",
                () -> a.budgets().fleet().sidecars() == 2 && b.budgets().fleet().sidecars() == 2);
        return new Fleet(redis, admin, key, a, b, channel(a), channel(b));
    }

    /** {@code n} Checks alternated over two sidecars; each must be allowed or a 429. Returns the allowed ones. */
    private static int calls(ManagedChannel one, ManagedChannel two, CreateKeyResponse key, int n) {
        int allowed = 0;
        for (int i = 0; i < n; i++) {
            CheckResponse r = AdminConnection.chatCheck(i % 2 == 0 ? one : two, key.getToken(), "{}");
            if (r.getStatus().getCode() == 0) {
                allowed++;
            } else {
                assertEquals(429, r.getDeniedResponse().getStatus().getCodeValue(), r.toString());
            }
        }
        return allowed;
    }

    /** The fleet count a sidecar's last sync saw for the key (-1 before any). */
    private static long fleetCount(Sidecar s, CreateKeyResponse key) {
        return s.budgets().fleet().rates().stream().filter(r -> r.keyId().equals(key.getKey().getId()))
                .mapToLong(dev.keymeter.quota.FleetRate::fleetCount).findFirst().orElse(-1);
    }

    private Sidecar sidecar(ControlPlane controlPlane, String name, RedisServer redis) throws IOException {
        BudgetSettings budgets = BudgetSettings.defaults().withFleet(new FleetSettings(
                BudgetsStore.parse(redis.uri()), Duration.ofMillis(50), "sidecar-" + name));
        Sidecar s = Sidecar.start(SidecarConfig.defaults(dir.resolve(name).resolve("replica")).withPorts(0, 0)
                .withBudgets(budgets).withIngest(IngestTokens.of(SidecarProcesses.INGEST_TOKEN)), controlPlane.inProcessChannel(), "");
        open.add(s);
        return s;
    }

    private ManagedChannel channel(Sidecar s) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", s.port()).usePlaintext().build();
        open.add(channel::shutdownNow);
        return channel;
    }

    private static int status(ManagedChannel channel, CreateKeyResponse key) {
        try {
            CheckResponse r = AdminConnection.chatCheck(channel, key.getToken(), "{}");
            return r.getStatus().getCode() == 0 ? 200 : r.getDeniedResponse().getStatus().getCodeValue();
        } catch (RuntimeException notReady) {
            return -1;
        }
    }

    private static String scrape(Sidecar s) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + s.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
