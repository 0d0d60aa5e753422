package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.keys.ResetPeriod;
import dev.keymeter.usage.PriceTableJson;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A key whose stored limits are beyond what the counters hold (as a control plane that accepted up
 * to 10^15 left it, written here past the admin API's validation) replicates to a real sidecar and
 * is decided against the bounds: allowed, then 429 where a bound is reached, never gRPC INTERNAL.
 */
class SidecarLimitBoundsTest extends SidecarProcesses {

    private static final long E15 = 1_000_000_000_000_000L;

    private CheckResponse check(String token, String body) {
        return AdminConnection.chatCheck(authz, token, body);
    }

    private static String header(CheckResponse r, String name) {
        return r.getOkResponse().getResponseHeadersToAddList().stream()
                .filter(h -> h.getHeader().getKey().equals(name)).map(h -> h.getHeader().getValue())
                .findFirst().orElse(null);
    }

    @Test
    void storedLimitsBeyondTheCounters_replicated_areDecidedNotInternal() throws Exception {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
        BudgetSettings budgets = new BudgetSettings(1_000, PriceTableJson.parse("""
                {"models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}}"""),
                BudgetSettings.DEFAULT_RESERVATION_TTL, dev.keymeter.usage.UsageSettings.defaults());
        sidecar = Sidecar.start(SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0).withBudgets(budgets)
                .withIngest(dev.keymeter.ingest.IngestTokens.of(INGEST_TOKEN)), controlPlane.inProcessChannel(), "");
        authz = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
        admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        CreateKeyResponse created = admin().createKey(CreateKeyRequest.newBuilder().setName("old")
                .setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setLimits(Limits.newBuilder().setRequestsPerMinute(1)).build());
        String id = created.getKey().getId();

        long revision = controlPlane.store().write(w -> {
            ApiKey key = w.findKey(id).orElseThrow();
            long next = w.nextRevision();
            w.updateKey(key.withSettings(key.name(), key.permissions(),
                    new dev.keymeter.keys.Limits(E15, E15, E15, ResetPeriod.DAILY), key.expiresAt(), Instant.now(), next));
            return next;
        });
        controlPlane.replication().committed(revision);

        String body = "{\"model\":\"gpt-4o\",\"max_tokens\":100}";
        CheckResponse first = awaitLimit(created.getToken(), body, "17592186044415");
        assertEquals(0, first.getStatus().getCode(), "allowed");
        assertEquals("4294967294", header(first, "x-ratelimit-limit-requests"));

        CheckResponse second = check(created.getToken(), body);
        assertEquals(0, second.getStatus().getCode(), "counted against the bound, still allowed");
        assertEquals("4294967292", header(second, "x-ratelimit-remaining-requests"));
    }

    /** Checks until the replicated key answers with this token limit (or fails the test after 20 s). */
    private CheckResponse awaitLimit(String token, String body, String tokenLimit) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                CheckResponse r = check(token, body);
                if (tokenLimit.equals(header(r, "x-ratelimit-limit-tokens"))) {
                    return r;
                }
            } catch (StatusRuntimeException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stored limits never reached the sidecar");
            }
            Thread.sleep(20);
        }
    }
}
