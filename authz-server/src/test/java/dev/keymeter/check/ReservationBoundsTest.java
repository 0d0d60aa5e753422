package dev.keymeter.check;

import static dev.keymeter.check.Answers.httpStatus;
import static dev.keymeter.check.Answers.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.quota.BudgetUsage;
import dev.keymeter.quota.ChronicleCounterStore;
import dev.keymeter.replica.ReplicaEntry;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTable;
import dev.keymeter.usage.RecentRequests;
import dev.keymeter.usage.Reservations;
import dev.keymeter.usage.UsageLedger;
import dev.keymeter.usage.UsageListener;
import dev.keymeter.usage.UsageRecord;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10^5 admitted requests whose usage never arrives, through the real Check path with real Chronicle
 * counters: the reservation table and its tombstones stay under their bounds, and every evicted
 * reservation is still charged at its estimate, so nothing is under-counted.
 */
class ReservationBoundsTest {

    private static final int REQUESTS = 100_000;
    private static final int MAX_OPEN = 1_000;
    private static final int MAX_TOMBSTONES = 500;
    private static final String BODY = "{\"max_completion_tokens\":10}";
    /** What Check estimates for {@link #BODY}: the output limit and the body's length / 4. */
    private static final long ESTIMATE = 10 + (BODY.length() + 3) / 4;

    @TempDir
    Path dir;

    private ChronicleCounterStore counters;
    private CheckHarness harness;
    private RecentRequests requestIds;

    @BeforeAll
    static void quietChronicle() {
        ChronicleFiles.disableAnalytics();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
        if (requestIds != null) {
            requestIds.close();
        }
        if (counters != null) {
            counters.close();
        }
    }

    @Test
    void check_manyRequestsWithoutUsage_keepsTablesBounded_andChargesEveryEstimate() throws Exception {
        counters = ChronicleCounterStore.open(dir.resolve("counters"), 100);
        Budgets budgets = new Budgets(counters, PriceTable.empty(),
                new Reservations(600_000, MAX_OPEN, MAX_TOMBSTONES));
        harness = new CheckHarness(dir, CheckSettings.defaults(), true, budgets);
        requestIds = RecentRequests.open(dir.resolve("request-ids"), 1_000, 3_600_000, harness.clock.millis());
        UsageLedger ledger = new UsageLedger(budgets, harness.replica, requestIds, new UsageListener() { },
                harness.clock);
        String token = TestKeys.userToken();
        harness.add(TestKeys.projectKey("key_flood", token).setLimits(Limits.newBuilder()
                .setTokenLimit(1_000_000_000_000L)));
        CheckRequest request = chat(token);
        String firstId = null;
        for (int i = 0; i < REQUESTS; i++) {
            CheckResponse r = harness.check(request);
            assertEquals(200, httpStatus(r));
            if (i == 0) {
                firstId = metadata(r, "reservation_id");
            }
        }
        assertNotNull(firstId);
        Reservations table = budgets.reservations();
        assertEquals(MAX_OPEN, table.size(), "open reservations at their bound");
        assertTrue(table.tombstones() <= MAX_TOMBSTONES, "tombstones: " + table.tombstones());
        assertEquals(REQUESTS - MAX_OPEN, table.evictions());

        assertEquals(REQUESTS - MAX_OPEN, ledger.expireReservations(), "the evicted ones are charged now");
        BudgetUsage usage = budgets.existingQuotaOf(entry("key_flood")).tokens(harness.clock.millis());
        assertEquals((long) (REQUESTS - MAX_OPEN) * ESTIMATE, usage.used(), "evicted: charged at the estimate");
        assertEquals((long) MAX_OPEN * ESTIMATE, usage.reserved(), "still open: still reserved");

        // The first reservation's tombstone is long gone: its late report is charged in full, never less.
        ledger.settle(new UsageRecord("late", "key_flood", firstId, null, 0, 3, UsageRecord.UNKNOWN_COST,
                UsageRecord.Source.REPORT));
        assertEquals((long) (REQUESTS - MAX_OPEN) * ESTIMATE + 3,
                budgets.existingQuotaOf(entry("key_flood")).tokens(harness.clock.millis()).used());
    }

    private static CheckRequest chat(String token) {
        CheckRequest r = Requests.bearer("POST", "/v1/chat/completions", token);
        return Requests.withAttributes(r, AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder()
                .setHttp(r.getAttributes().getRequest().getHttp().toBuilder().setBody(BODY))));
    }

    private ReplicaEntry entry(String keyId) {
        ReplicaEntry e = new ReplicaEntry();
        assertTrue(harness.replica.lookupKey(keyId, e));
        return e;
    }
}
