package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.GetKeyUsageRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.KeyUsage;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import dev.keymeter.proto.admin.v1.UsageSample;
import dev.keymeter.proto.usage.v1.ReportRequest;
import dev.keymeter.proto.usage.v1.UsageServiceGrpc;
import dev.keymeter.usage.PriceTableJson;
import io.grpc.ManagedChannelBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real sidecar's usage reports build the control plane's usage history: the requests it admits
 * (its {@code requests_total}) and the tokens and cost it settles after its baseline report.
 */
class SidecarUsageHistoryTest extends SidecarProcesses {

    private static final String PRICES = """
            {"models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}}""";
    private static final String BODY = "{\"model\":\"gpt-4o\",\"max_tokens\":10}";

    @Test
    void history_afterChecksAndSettledUsage_holdsWhatTheSidecarCountedSinceItsBaseline() throws Exception {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
        sidecar = Sidecar.start(SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0)
                        .withBudgets(new BudgetSettings(1_000, PriceTableJson.parse(PRICES),
                                BudgetSettings.DEFAULT_RESERVATION_TTL, dev.keymeter.usage.UsageSettings.defaults()))
                        .withIngest(dev.keymeter.ingest.IngestTokens.of(INGEST_TOKEN)),
                controlPlane.inProcessChannel(), "");
        authz = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
        admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        CreateKeyResponse key = admin().createKey(CreateKeyRequest.newBuilder().setName("svc")
                .setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setLimits(Limits.newBuilder().setTokenLimit(1_000_000).setRequestsPerMinute(1_000)
                        .setResetPeriod(ResetPeriod.RESET_PERIOD_MONTHLY))
                .build());
        String keyId = key.getKey().getId();
        awaitAllowed(key.getToken());
        sidecar.reportUsage(); // the baseline: what was counted so far (the awaited Checks) is not in the history

        for (int i = 0; i < 3; i++) {
            assertEquals(0, AdminConnection.chatCheck(authz, key.getToken(), BODY).getStatus().getCode());
        }
        UsageServiceGrpc.newBlockingStub(authz).withInterceptors(ingestToken()).withDeadlineAfter(5, TimeUnit.SECONDS)
                .report(ReportRequest.newBuilder().setRequestId("req-1").setKeyId(keyId)
                        .setInputTokens(400).setOutputTokens(100).setCostMicroUsd(2_000).build());
        sidecar.reportUsage();

        KeyUsage usage = admin().getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(keyId).build());
        assertEquals(96, usage.getHistoryCount());
        assertEquals(3, usage.getHistoryList().stream().mapToLong(UsageSample::getRequests).sum());
        assertEquals(500, usage.getHistoryList().stream().mapToLong(UsageSample::getTokens).sum());
        assertEquals(2_000, usage.getHistoryList().stream().mapToLong(UsageSample::getCostMicroUsd).sum());
    }

    /** Checks until the key has replicated (the sidecar answers OK). */
    private void awaitAllowed(String token) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (AdminConnection.chatCheck(authz, token, BODY).getStatus().getCode() == 0) {
                    return;
                }
            } catch (RuntimeException notReady) {
                // the sidecar is not serving yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for the key to replicate");
            }
            Thread.sleep(20);
        }
    }
}
