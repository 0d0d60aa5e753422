package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.check.MutableClock;
import io.grpc.ManagedChannel;
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
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A sidecar whose control plane goes away, over real loopback gRPC, with time told by a clock the test
 * moves: the replica's staleness grows in {@code keymeter_replica_staleness_seconds} and in
 * {@code /readyz}'s body; with {@code --max-replica-staleness} health goes NOT_SERVING (and
 * {@code /readyz} 503) past it and back to SERVING when the control plane returns; without it the last
 * known good replica keeps serving.
 */
class SidecarStalenessTest extends SidecarProcesses {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private ManagedChannel toControlPlane;
    private int controlPlanePort;

    @AfterEach
    void closeChannel() {
        if (toControlPlane != null) {
            toControlPlane.shutdownNow();
        }
    }

    private void startControlPlane() throws IOException {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(controlPlanePort));
        controlPlanePort = controlPlane.port();
    }

    private void startSidecar(Duration maxStaleness) throws IOException, InterruptedException {
        startControlPlane();
        String key = controlPlane.bootstrapKey().orElseThrow().token();
        toControlPlane = ManagedChannelBuilder.forAddress("127.0.0.1", controlPlanePort).usePlaintext().build();
        sidecar = Sidecar.start(SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0).withClock(clock)
                .withBounds(SidecarBounds.defaults().withMaxReplicaStaleness(maxStaleness)), toControlPlane, key);
        authz = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
        await("the replica loads", () -> health() == ServingStatus.SERVING);
    }

    private void stopControlPlane() throws InterruptedException {
        controlPlane.close();
        controlPlane = null;
        await("the sidecar notices", () -> !sidecar.replication().isConnected());
    }

    @Test
    void controlPlaneAway_withMaxStaleness_notServingPastIt_andServingWhenItReturns() throws Exception {
        startSidecar(Duration.ofSeconds(30));
        assertTrue(staleness() < 1, "in step while connected");
        stopControlPlane();

        clock.advance(Duration.ofSeconds(20));
        assertEquals(20.0, staleness());
        HttpResponse<String> ready = get("/readyz");
        assertEquals(200, ready.statusCode(), "within the bound");
        assertTrue(ready.body().contains("replica_staleness_seconds: 20.000\n"), ready.body());
        assertTrue(ready.body().contains("max_replica_staleness_seconds: 30.000\n"), ready.body());
        assertEquals(ServingStatus.SERVING, health());

        clock.advance(Duration.ofSeconds(15));
        await("health says NOT_SERVING", () -> health() == ServingStatus.NOT_SERVING);
        HttpResponse<String> stale = get("/readyz");
        assertEquals(503, stale.statusCode());
        assertTrue(stale.body().startsWith("not ready\n"), stale.body());
        assertTrue(stale.body().contains("replica_staleness_seconds: 35.000\n"), stale.body());
        assertEquals(35.0, staleness());

        startControlPlane();
        await("health says SERVING again", () -> health() == ServingStatus.SERVING);
        assertEquals(200, get("/readyz").statusCode());
        assertEquals(0.0, staleness(), "in step again at the clock's time");
    }

    @Test
    void controlPlaneAway_byDefault_servesTheLastKnownGoodReplica_andShowsItsAge() throws Exception {
        startSidecar(Duration.ZERO);
        stopControlPlane();
        clock.advance(Duration.ofHours(1));
        assertEquals(3600.0, staleness());
        HttpResponse<String> ready = get("/readyz");
        assertEquals(200, ready.statusCode());
        assertTrue(ready.body().contains("replica_staleness_seconds: 3600.000\n"), ready.body());
        assertTrue(ready.body().contains("max_replica_staleness_seconds: off\n"), ready.body());
        assertTrue(ready.body().contains("control_plane_connected: false\n"), ready.body());
        assertEquals(ServingStatus.SERVING, health());
    }

    private ServingStatus health() {
        try {
            return HealthGrpc.newBlockingStub(authz).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
        } catch (RuntimeException unavailable) {
            return ServingStatus.UNKNOWN;
        }
    }

    /** {@code keymeter_replica_staleness_seconds} as scraped from {@code /metrics}. */
    private double staleness() throws Exception {
        String prefix = "keymeter_replica_staleness_seconds ";
        return get("/metrics").body().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix.strip()));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sidecar.metricsPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
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
