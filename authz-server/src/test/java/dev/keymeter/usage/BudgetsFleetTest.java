package dev.keymeter.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.quota.FleetStore;
import dev.keymeter.quota.FleetSync;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.quota.QuotaDecision;
import dev.keymeter.keys.ResetPeriod;
import dev.keymeter.replica.ReplicaEntry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * {@link Budgets} with shared requests per minute, on a virtual clock and a store whose answers the
 * test sets: what Check is told when the allowance is spent, when a budget is spent too, after a sync,
 * and while the store is silent.
 */
class BudgetsFleetTest {

    private long now = 1_800_000_000_000L;
    private final ScriptedStore store = new ScriptedStore();
    private final FleetSync sync = new FleetSync(store, new FleetSync.Settings("here", 100, 1_000, 3_000, 1_000),
            () -> now);
    private final Budgets budgets = new Budgets(new HeapCounterStore(100), PriceTable.empty(),
            new Reservations(600_000, 100), sync);

    /** Answers every call at once with the values set, or never while {@code silent}. */
    private static final class ScriptedStore implements FleetStore {
        volatile long fleetCount;
        volatile int sidecars = 1;
        volatile boolean silent;
        /** What the other sidecars have committed of every budget. */
        volatile long othersCommitted;
        volatile FleetStore.BudgetSync lastBudgetSync;

        @Override
        public CompletionStage<BudgetGrant> syncBudget(BudgetSync s) {
            if (silent) {
                return new CompletableFuture<>();
            }
            lastBudgetSync = s;
            long free = s.limit() - othersCommitted;
            long allotment = Math.max(s.used(), Math.min(s.keep(), Math.max(0, free)));
            allotment += Math.max(0, Math.min(s.want(), free - allotment));
            return CompletableFuture.completedFuture(new BudgetGrant(allotment, othersCommitted + allotment,
                    othersCommitted + s.used()));
        }

        @Override
        public CompletionStage<Long> syncRequests(String keyId, long epoch, String sidecarId, long second, long[] counts) {
            return silent ? new CompletableFuture<>() : CompletableFuture.completedFuture(fleetCount);
        }

        @Override
        public CompletionStage<Integer> heartbeat(String sidecarId, long ttlMillis) {
            return silent ? new CompletableFuture<>() : CompletableFuture.completedFuture(sidecars);
        }

        @Override
        public void close() {
        }
    }

    private static ReplicaEntry key(long rpm, long tokens) {
        ReplicaEntry key = new ReplicaEntry();
        key.keyId = "key_fleet";
        key.requestsPerMinute = rpm;
        key.tokenLimit = tokens;
        key.resetPeriod = ResetPeriod.MONTHLY;
        return key;
    }

    private QuotaDecision admit(ReplicaEntry key, long estimatedTokens) {
        return budgets.admit(key, null, estimatedTokens, 0, now).decision();
    }

    @Test
    void admit_allowanceSpent_is429ThatRetriesAfterASecond() {
        store.sidecars = 2;
        sync.tick(); // learns N = 2
        ReplicaEntry key = key(4, ReplicaEntry.NO_LIMIT);

        assertTrue(admit(key, 0).admitted());
        assertTrue(admit(key, 0).admitted());
        QuotaDecision third = admit(key, 0);

        assertFalse(third.admitted(), "the share of an empty window is ⌊4 / 2⌋ = 2");
        assertEquals(QuotaDecision.Limit.REQUESTS_PER_MINUTE, third.refusedBy());
        assertEquals(0, third.requests().remaining());
        assertEquals(4, third.requests().limit());
        assertEquals(FleetAdmission.RETRY_MILLIS, third.requests().resetAfterMillis());
        assertEquals(2, budgets.quotaOf(key).requestsInWindow(now), "a refusal counts nothing");
    }

    @Test
    void admit_afterASync_theShareFollowsTheFleetCount() {
        store.sidecars = 2;
        sync.tick();
        ReplicaEntry key = key(10, ReplicaEntry.NO_LIMIT);
        assertTrue(admit(key, 0).admitted());

        store.fleetCount = 7; // 1 of ours, 6 from the other sidecar
        now += 200;
        sync.tick();

        assertTrue(admit(key, 0).admitted(), "⌊(10 − 7) / 2⌋ = 1");
        QuotaDecision refused = admit(key, 0);
        assertEquals(QuotaDecision.Limit.REQUESTS_PER_MINUTE, refused.refusedBy());
        assertEquals(2, budgets.quotaOf(key).requestsInWindow(now));
    }

    @Test
    void admit_allowanceAndTokenBudgetSpent_answersTheTokenLimit() {
        ReplicaEntry key = key(1, 100);
        assertTrue(admit(key, 100).admitted());

        QuotaDecision second = admit(key, 0);

        assertEquals(QuotaDecision.Limit.TOKENS, second.refusedBy(), "the budget's 429 lasts longer than the rate's");
    }

    @Test
    void admit_storeSilent_fallsBackToTheLimitOverTheSidecarsLastCounted() {
        store.sidecars = 2;
        sync.tick();
        store.silent = true;
        ReplicaEntry key = key(6, ReplicaEntry.NO_LIMIT);
        assertTrue(admit(key, 0).admitted()); // creates the key's state while the store still counts as fresh
        now += 1_500;
        sync.tick();
        assertTrue(sync.degraded());

        assertTrue(admit(key, 0).admitted());
        assertTrue(admit(key, 0).admitted());
        QuotaDecision fourth = admit(key, 0);

        assertEquals(QuotaDecision.Limit.REQUESTS_PER_MINUTE, fourth.refusedBy(), "⌊6 / 2⌋ = 3 of this sidecar's own");
        assertTrue(fourth.requests().resetAfterMillis() <= 61_000, "a permit frees up when the window moves");
    }

    @Test
    void admit_storeSilentAndLimitBelowTheSidecars_retriesRatherThanNeverResets() {
        store.sidecars = 3;
        sync.tick();
        store.silent = true;
        ReplicaEntry key = key(2, ReplicaEntry.NO_LIMIT);
        now += 1_500;
        sync.tick();

        QuotaDecision refused = admit(key, 0); // a new key: fresh, with the share ⌊2 / 3⌋ = 0
        assertEquals(QuotaDecision.Limit.REQUESTS_PER_MINUTE, refused.refusedBy());
        now += 1_500;
        QuotaDecision stale = admit(key, 0); // now on the fallback ⌊2 / 3⌋ = 0

        assertEquals(QuotaDecision.Limit.REQUESTS_PER_MINUTE, stale.refusedBy());
        assertEquals(FleetAdmission.RETRY_MILLIS, stale.requests().resetAfterMillis());
    }

    @Test
    void admit_tokensBeforeTheFirstAllotment_admitsOneRequestThenRetriesAfterASecond() {
        ReplicaEntry key = key(ReplicaEntry.NO_LIMIT, 1_000);

        assertTrue(admit(key, 100).admitted(), "a sidecar's first request of a period needs no sync");
        QuotaDecision second = admit(key, 100);

        assertEquals(QuotaDecision.Limit.TOKENS, second.refusedBy());
        assertEquals(1_000, second.tokens().limit(), "the key's limit, not the allotment");
        assertEquals(900, second.tokens().remaining(), "the fleet's remaining tokens as far as this sidecar knows");
        assertEquals(now + FleetAdmission.RETRY_MILLIS, second.tokens().periodEndMillis(), "retry after a second");

        sync.tick(); // asks for an allotment

        assertEquals(100, store.lastBudgetSync.used(), "the sync reports what this sidecar committed");
        assertTrue(admit(key, 100).admitted(), "the allotment arrived");
    }

    @Test
    void admit_fleetHasSpentTheBudget_refusesUntilThePeriodEnds() {
        store.othersCommitted = 1_000;
        ReplicaEntry key = key(ReplicaEntry.NO_LIMIT, 1_000);
        assertTrue(admit(key, 10).admitted()); // the first request, before this sidecar knows
        sync.tick();

        QuotaDecision refused = admit(key, 10);

        assertEquals(QuotaDecision.Limit.TOKENS, refused.refusedBy());
        assertEquals(0, refused.tokens().remaining());
        assertEquals(ResetPeriod.MONTHLY.startMillis(ResetPeriod.MONTHLY.indexAt(now) + 1),
                refused.tokens().periodEndMillis(), "retry when the period ends, not in a second");
    }

    @Test
    void settledHere_usageSettledOnThisSidecar_isReportedByTheNextSync() {
        ReplicaEntry key = key(ReplicaEntry.NO_LIMIT, 1_000);
        assertTrue(admit(key, 0).admitted());
        sync.tick();
        now += 100;

        budgets.quotaOf(key).charge(now, 250, 0);
        budgets.settledHere(key, budgets.quotaOf(key), now);
        sync.tick();

        assertEquals(250, store.lastBudgetSync.used());
    }
}
