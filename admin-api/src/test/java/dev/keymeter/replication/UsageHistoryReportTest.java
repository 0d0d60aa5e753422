package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.keymeter.proto.admin.v1.GetKeyUsageRequest;
import dev.keymeter.proto.admin.v1.KeyUsage;
import dev.keymeter.proto.admin.v1.UsageSample;
import dev.keymeter.proto.replication.v1.KeyUsageFigures;
import dev.keymeter.proto.replication.v1.UsageReport;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ReportUsage → GetKeyUsage.history on a real control plane over gRPC, on a clock moved by hand. */
class UsageHistoryReportTest {

    @TempDir
    Path dir;
    ReplicationHarness h;
    String sidecar;
    String keyId;

    @BeforeEach
    void start() throws Exception {
        h = new ReplicationHarness(dir);
        sidecar = h.sidecarCredential("gateway").getToken();
        h.project("payments");
        keyId = h.serviceKey("payments", "svc").getKey().getId();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private void report(String sidecarId, long requestsTotal, long tokens, long cost) {
        Instant now = h.clock.instant();
        h.reports(sidecar).reportUsage(UsageReport.newBuilder().setSidecarId(sidecarId)
                .addKeys(KeyUsageFigures.newBuilder().setKeyId(keyId).setRequestsTotal(requestsTotal)
                        .setTokensUsed(tokens).setCostUsedMicroUsd(cost).setRequestsLastMinute(1)
                        .setAsOfTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond())))
                .build());
    }

    private KeyUsage usage() {
        return h.admin().getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(keyId).build());
    }

    @Test
    void getKeyUsage_afterReportsOfTwoSidecars_historyHoldsTheirIncreasesInTheCurrentBucket() throws Exception {
        report("sc-1", 100, 10_000, 2_000);
        report("sc-2", 5, 300, 60);
        h.clock.advance(Duration.ofSeconds(5));
        report("sc-1", 104, 10_400, 2_080);
        report("sc-2", 8, 330, 66);

        KeyUsage usage = usage();

        assertEquals(96, usage.getHistoryCount());
        UsageSample last = usage.getHistory(95);
        assertEquals(7, last.getRequests());
        assertEquals(430, last.getTokens());
        assertEquals(86, last.getCostMicroUsd());
        assertEquals(Instant.parse("2026-11-22T10:00:00Z").getEpochSecond(), last.getStartTime().getSeconds());
        assertEquals(Instant.parse("2026-11-21T10:15:00Z").getEpochSecond(), usage.getHistory(0).getStartTime().getSeconds());
        String json = JsonFormat.printer().print(usage);
        assertEquals(96, com.google.gson.JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("history").size());
    }

    @Test
    void getKeyUsage_aDayLater_historyIsAllZero() {
        report("sc-1", 1, 10, 1);
        h.clock.advance(Duration.ofSeconds(5));
        report("sc-1", 3, 30, 3);
        h.clock.advance(Duration.ofHours(24));

        assertEquals(0, usage().getHistoryList().stream().mapToLong(UsageSample::getTokens).sum());
        assertEquals(96, usage().getHistoryCount());
    }

    @Test
    void reportUsage_negativeRequestTotal_isInvalidArgumentNamingTheField() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> report("sc-1", -1, 0, 0));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals(true, e.getStatus().getDescription().startsWith("keys[0].requests_total: "),
                e.getStatus().getDescription());
    }
}
