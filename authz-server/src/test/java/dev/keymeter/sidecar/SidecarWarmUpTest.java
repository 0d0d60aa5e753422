package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.OwnerType;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The warm-up before ready: health and {@code /readyz} wait for it even when the replica has loaded,
 * and it leaves nothing a user sees — no decision or per-key metric, no counter, reservation or
 * last-used time — while the key the control plane holds keeps its budget untouched.
 */
class SidecarWarmUpTest extends SidecarProcesses {

    private void start(WarmUpSettings warmUp) throws IOException {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
        admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        admin().createKey(CreateKeyRequest.newBuilder().setName("svc").setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId("payments").setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setLimits(Limits.newBuilder().setRequestsPerMinute(100).setTokenLimit(1_000)).build());
        sidecar = Sidecar.start(SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0).withWarmUp(warmUp),
                controlPlane.inProcessChannel(), "");
        authz = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
    }

    @Test
    void readiness_replicaLoadedWhileWarmUpRuns_isNotServing() throws Exception {
        start(new WarmUpSettings(true, Integer.MAX_VALUE, Duration.ofMinutes(10))); // ends only with close

        await("replica loaded", () -> sidecar.replica().isLoaded());
        await("a replication round after the load", () -> sidecar.replication().appliedRevision() > 0);

        assertEquals(ServingStatus.NOT_SERVING, health());
        HttpResponse<String> ready = get("/readyz");
        assertEquals(503, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("warmed_up: false"), ready.body());
        assertTrue(ready.body().contains("replica_loaded: true"), ready.body());
    }

    @Test
    void warmUp_default_thenServing_andEveryUserVisibleCounterStaysZero() throws Exception {
        start(WarmUpSettings.DEFAULT);

        await("health SERVING", () -> health() == ServingStatus.SERVING);

        WarmUp.Result result = sidecar.warmUpResult();
        assertNotNull(result, "SERVING only after the warm-up ran");
        assertTrue(result.checks() > 0, "checks made: " + result.checks());
        assertTrue(result.millis() <= 5_000, "bounded by 1 s (and a slow machine's margin): " + result.millis());
        HttpResponse<String> ready = get("/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("warmed_up: true"), ready.body());

        assertEquals(0, sidecar.budgets().counters().size(), "no key's counters were created");
        assertEquals(0, sidecar.budgets().reservations().size(), "no reservation is open");
        assertEquals(List.of(), sidecar.budgets().drainTouched(), "no usage to report");
        assertTrue(sidecar.lastUsed().drain().isEmpty(), "no last-used time to report");
        String scrape = get("/metrics").body();
        assertFalse(scrape.contains(WarmUpReplica.KEY_ID), "no series of the warm-up key");
        for (String line : scrape.lines().toList()) {
            if (line.startsWith("keymeter_checks_total") || line.startsWith("keymeter_check_duration_seconds_count")
                    || line.startsWith("keymeter_key_requests_total") || line.startsWith("keymeter_key_rate_limited")
                    || line.startsWith("keymeter_key_tokens_total") || line.startsWith("keymeter_key_cost_usd_total")) {
                assertEquals(0.0, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), line);
            }
        }
        assertTrue(scrape.contains("keymeter_check_duration_seconds_count"), "the Check meters exist, at 0");
    }

    private ServingStatus health() {
        return HealthGrpc.newBlockingStub(authz).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sidecar.metricsPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Bounded wait for asynchronous replication and warm-up; fails the test after 30 s. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
