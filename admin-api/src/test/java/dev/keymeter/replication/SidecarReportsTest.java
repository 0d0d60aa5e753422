package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.keymeter.proto.admin.v1.GetKeyRequest;
import dev.keymeter.proto.admin.v1.GetKeyUsageRequest;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.replication.v1.KeyLastUsed;
import dev.keymeter.proto.replication.v1.KeyUsageFigures;
import dev.keymeter.proto.replication.v1.LastUsedReport;
import dev.keymeter.proto.replication.v1.UsageReport;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar reports on a real control plane: only the sidecar role writes them (a read-only admin
 * key and a project key are refused, nothing written), and a report with a bad value is refused whole
 * with INVALID_ARGUMENT naming the field, nothing of it recorded.
 */
class SidecarReportsTest {

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

    private Instant now() {
        return h.clock.instant();
    }

    private static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private LastUsedReport lastUsed(String id, Instant at) {
        return LastUsedReport.newBuilder().setSidecarId("sc-1")
                .addKeys(KeyLastUsed.newBuilder().setKeyId(id).setLastUsedTime(ts(at))).build();
    }

    private UsageReport usage(UnaryOperator<KeyUsageFigures.Builder> change) {
        return UsageReport.newBuilder().setSidecarId("sc-1").addKeys(change.apply(KeyUsageFigures.newBuilder()
                .setKeyId(keyId).setTokensUsed(1_500).setCostUsedMicroUsd(7_500).setRequestsLastMinute(3)
                .setAsOfTime(ts(now())))).build();
    }

    private Key key() {
        return h.admin().getKey(GetKeyRequest.newBuilder().setKeyId(keyId).build());
    }

    private Status refused(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus();
    }

    @Test
    void reports_byReadOnlyAdminOrProjectKey_arePermissionDenied_andWriteNothing() {
        String readOnly = h.readOnlyAdminKey("reader").getToken();
        String projectKey = h.serviceKey("payments", "other").getToken();
        for (String token : new String[] {readOnly, projectKey}) {
            assertEquals(Status.Code.PERMISSION_DENIED,
                    refused(() -> h.reports(token).reportLastUsed(lastUsed(keyId, now()))).getCode());
            assertEquals(Status.Code.PERMISSION_DENIED,
                    refused(() -> h.reports(token).reportUsage(usage(f -> f))).getCode());
        }
        assertFalse(key().hasLastUsedTime(), "no last-used time written");
        assertEquals(0, h.admin().getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(keyId).build())
                .getReportingSidecars(), "no usage figures written");
    }

    @Test
    void reports_bySidecarCredential_areRecorded() {
        Instant used = now().minusSeconds(30);
        assertEquals(1, h.reports(sidecar).reportLastUsed(lastUsed(keyId, used)).getRecorded());
        assertEquals(used.getEpochSecond(), key().getLastUsedTime().getSeconds());
        assertEquals(1, h.reports(sidecar).reportUsage(usage(f -> f)).getRecorded());
        var overview = h.admin().getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(keyId).build());
        assertEquals(1, overview.getReportingSidecars());
    }

    @Test
    void reportLastUsed_badValues_areInvalidArgumentNamingTheField_andRecordNothing() {
        Status future = refused(() -> h.reports(sidecar).reportLastUsed(lastUsed(keyId,
                now().plus(Duration.ofMinutes(6)))));
        assertEquals(Status.Code.INVALID_ARGUMENT, future.getCode());
        assertTrue(future.getDescription().startsWith("keys[0].last_used_time: "), future.getDescription());
        assertEquals(1, h.reports(sidecar).reportLastUsed(lastUsed(keyId, now().plus(Duration.ofMinutes(4))))
                .getRecorded(), "within the 5-minute skew");

        String missing = "key_" + "Z".repeat(20);
        LastUsedReport withUnknown = lastUsed(keyId, now()).toBuilder().addKeys(KeyLastUsed.newBuilder()
                .setKeyId(missing).setLastUsedTime(ts(now()))).build();
        Status unknown = refused(() -> h.reports(sidecar).reportLastUsed(withUnknown));
        assertEquals("keys[1].key_id: no key " + missing, unknown.getDescription());

        Status shape = refused(() -> h.reports(sidecar).reportLastUsed(lastUsed("'; DROP TABLE keys", now())));
        assertEquals("keys[0].key_id: not a key id (key_…)", shape.getDescription());
        assertFalse(shape.getDescription().contains("DROP"));
        Status noTime = refused(() -> h.reports(sidecar).reportLastUsed(LastUsedReport.newBuilder()
                .addKeys(KeyLastUsed.newBuilder().setKeyId(keyId)).build()));
        assertEquals("keys[0].last_used_time: required", noTime.getDescription());
    }

    @Test
    void reportUsage_badValues_areInvalidArgumentNamingTheField_andRecordNothing() {
        assertEquals("keys[0].tokens_used: must be between 0 and 1000000000000000, was -1",
                refused(() -> h.reports(sidecar).reportUsage(usage(f -> f.setTokensUsed(-1)))).getDescription());
        assertTrue(refused(() -> h.reports(sidecar).reportUsage(usage(f -> f.setCostUsedMicroUsd(Long.MAX_VALUE))))
                .getDescription().startsWith("keys[0].cost_used_micro_usd: "));
        assertTrue(refused(() -> h.reports(sidecar).reportUsage(usage(f -> f.setRequestsLastMinute(2_000_000_000L))))
                .getDescription().startsWith("keys[0].requests_last_minute: "));
        assertTrue(refused(() -> h.reports(sidecar).reportUsage(usage(f -> f.setAsOfTime(ts(now().plus(
                Duration.ofHours(1))))))).getDescription().startsWith("keys[0].as_of_time: "));
        assertEquals("keys[0].as_of_time: required",
                refused(() -> h.reports(sidecar).reportUsage(usage(f -> f.clearAsOfTime()))).getDescription());
        assertEquals("sidecar_id: required", refused(() -> h.reports(sidecar).reportUsage(
                usage(f -> f).toBuilder().clearSidecarId().build())).getDescription());
        assertEquals(Status.Code.INVALID_ARGUMENT,
                refused(() -> h.reports(sidecar).reportUsage(usage(f -> f.setTokensUsed(-1)))).getCode());
        assertEquals(0, h.admin().getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(keyId).build())
                .getReportingSidecars(), "nothing of a refused report is recorded");
    }
}
