package dev.keymeter.check;

import static dev.keymeter.check.Answers.error;
import static dev.keymeter.check.Answers.httpStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTableJson;
import dev.keymeter.usage.RecentRequests;
import dev.keymeter.usage.Reservations;
import dev.keymeter.usage.SpendUnknownFile;
import dev.keymeter.usage.UsageLedger;
import dev.keymeter.usage.UsageListener;
import dev.keymeter.usage.UsageRecord;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "spend unknown" block (usage of an unpriced model charged to a cost-limited key) outlives a
 * sidecar restart: the second sidecar reads the real file the first one wrote.
 */
class CheckSpendUnknownRestartTest {

    private static final String PRICES = """
            {"models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}}""";
    private static final Limits COST_LIMIT = Limits.newBuilder().setCostLimitMicroUsd(5_000_000).build();

    @TempDir
    Path dir;

    private Budgets budgets(Path file) {
        return new Budgets(new HeapCounterStore(100), PriceTableJson.parse(PRICES), new Reservations(60_000, 100),
                null, new SpendUnknownFile(file));
    }

    @Test
    void check_spendUnknownKey_staysRefusedAfterARestart_untilAUsageReset() throws Exception {
        Path file = dir.resolve("data").resolve("spend-unknown");
        String token = TestKeys.userToken();
        Budgets budgets = budgets(file);
        try (CheckHarness first = new CheckHarness(dir.resolve("first"), CheckSettings.defaults(), true, budgets);
                RecentRequests recent = RecentRequests.open(dir.resolve("request-ids"), 100, 60_000, 0)) {
            first.add(TestKeys.projectKey("key_usd", token).setLimits(COST_LIMIT));
            UsageLedger ledger = new UsageLedger(budgets, first.replica, recent, new UsageListener() { }, first.clock);
            ledger.settle(new UsageRecord("r1", "key_usd", null, "mystery-model", 10, 10, UsageRecord.UNKNOWN_COST,
                    UsageRecord.Source.ACCESS_LOG));
            assertEquals(403, httpStatus(first.check(Requests.bearer("POST", "/v1/embeddings", token))));
        }
        assertTrue(Files.exists(file), "written before the settlement returned");
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left beside it");
        }

        try (CheckHarness second = new CheckHarness(dir.resolve("second"), CheckSettings.defaults(), true, budgets(file))) {
            second.add(TestKeys.projectKey("key_usd", token).setLimits(COST_LIMIT));
            CheckResponse r = second.check(Requests.bearer("POST", "/v1/embeddings", token));
            assertEquals(403, httpStatus(r), "still blocked after the restart");
            assertEquals("model_not_priced", error(r).get("code").getAsString());

            second.add(TestKeys.projectKey("key_usd", token).setLimits(COST_LIMIT).setUsageResetTime(TestKeys.timestamp(TestKeys.NOW))
                    .setRevision(2));
            assertEquals(200, httpStatus(second.check(Requests.bearer("POST", "/v1/embeddings", token))),
                    "a usage reset lifts it");
        }
    }
}
