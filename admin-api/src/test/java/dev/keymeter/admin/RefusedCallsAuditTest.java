package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls without a valid key used to write (and fsync) one audit row each, which anyone could do
 * without a key; now they are summarised: at most one row per interval, by reason and peer address,
 * never with token material, and counted for the metric.
 */
class RefusedCallsAuditTest {

    private static final String WRONG_TOKEN = "kms_WrongTokenShapedLikeARealOne000000000";

    @TempDir
    Path dir;

    @Test
    void refusedCalls_manyInOneInterval_oneSummaryRowPerInterval_byReasonAndPeer_noToken() throws Exception {
        try (AdminHarness h = new AdminHarness(dir)) {
            RevokeKeyRequest revoke = RevokeKeyRequest.newBuilder().setKeyId("key_anything").build();
            for (int i = 0; i < 30; i++) {
                assertStatus(Status.Code.UNAUTHENTICATED, "", () -> h.anonymous().revokeKey(revoke));
                assertStatus(Status.Code.UNAUTHENTICATED, "", () -> h.as(WRONG_TOKEN).revokeKey(revoke));
            }
            assertEquals(1, summaries(h).size(), "the first refusal is audited at once, the rest wait");

            h.advance(ControlPlaneConfig.DEFAULT_REFUSAL_AUDIT_INTERVAL.plus(Duration.ofSeconds(1)));
            assertStatus(Status.Code.UNAUTHENTICATED, "", () -> h.anonymous().revokeKey(revoke));

            List<AuditEntry> rows = summaries(h);
            assertEquals(2, rows.size(), rows::toString);
            AuditEntry second = rows.get(0); // newest first
            assertEquals("60", second.changes().get("calls"), second::toString);
            assertEquals("UNAUTHENTICATED=60", second.changes().get("reasons"));
            assertEquals("127.0.0.1=60", second.changes().get("peers"));
            assertEquals("UNAUTHENTICATED", second.outcome());
            assertEquals("", second.actorKeyId());
            assertFalse(rows.toString().contains(WRONG_TOKEN.substring(0, 12)), "a token in the audit");
            assertEquals(61, h.controlPlane.callsRefused(AdminFailure.Reason.UNAUTHENTICATED));
            assertTrue(h.controlPlane.store().read(r -> r.listAudit(dev.keymeter.store.AuditFilter.ALL, 1000, "")).items().size() < 10,
                    "one row per refused call");
        }
    }

    private static List<AuditEntry> summaries(AdminHarness h) {
        return h.controlPlane.store().read(r -> r.listAudit(dev.keymeter.store.AuditFilter.ALL, 1000, "")).items().stream()
                .filter(e -> e.action().equals(RefusedCalls.ACTION.recordedName())).toList();
    }
}
