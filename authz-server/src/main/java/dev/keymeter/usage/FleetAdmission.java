package dev.keymeter.usage;

import dev.keymeter.quota.BudgetProbe;
import dev.keymeter.quota.FleetBudget;
import dev.keymeter.quota.FleetRate;
import dev.keymeter.quota.FleetSync;
import dev.keymeter.quota.KeyQuota;
import dev.keymeter.quota.QuotaDecision;
import dev.keymeter.quota.QuotaLimits;
import dev.keymeter.quota.RateProbe;
import dev.keymeter.replica.ReplicaEntry;
import java.util.Objects;

/**
 * The admission of a request when the fleet shares its key's limits (design §7): the key's own
 * counters still decide, lock-free, but with the limits this sidecar holds for now —
 * <ul>
 *   <li>requests per minute: this sidecar's allowance first (spent: a 429 that retries after a
 *       second), then the window with the limit the fleet sync says (the key's, or ⌊L / N⌋ while its
 *       syncs go unanswered);</li>
 *   <li>tokens and cost: the allotment this sidecar holds for the period ({@link FleetBudget}), as the
 *       local budget's limit; an admission re-checks the allotment after its reservation and gives the
 *       reservation back if a release shrank it meanwhile.</li>
 * </ul>
 * A refusal for want of allotment while the fleet still has budget retries after a second (the next
 * sync brings more); the 429 and the headers show the fleet's remaining amounts as this sidecar last
 * saw them.
 */
final class FleetAdmission {

    /** A 429 from the fleet's share says to retry after this: the next sync may bring a new share. */
    static final long RETRY_MILLIS = 1_000;

    private final FleetSync fleet;

    FleetAdmission(FleetSync fleet) {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
    }

    QuotaDecision admit(ReplicaEntry key, KeyQuota quota, QuotaLimits limits, long estimatedTokens,
            long estimatedCost, long nowMillis) {
        long epoch = Budgets.counterEpoch(key);
        FleetRate rate = null;
        long requestsLimit = limits.requestsPerMinute();
        if (key.requestsPerMinute != ReplicaEntry.NO_LIMIT) {
            rate = fleet.rateOf(key.keyId, epoch, key.requestsPerMinute, quota.requests(), nowMillis);
            requestsLimit = fleet.take(rate, nowMillis);
            if (requestsLimit < 0) {
                return allowanceSpent(key, quota, limits, nowMillis);
            }
        }
        FleetBudget tokens = key.tokenLimit == ReplicaEntry.NO_LIMIT ? null : fleet.budgetOf(key.keyId, epoch,
                FleetBudget.Kind.TOKENS, key.tokenLimit, key.resetPeriod, quota.tokenBudget(), nowMillis);
        FleetBudget cost = key.costLimitMicroUsd == ReplicaEntry.NO_LIMIT ? null : fleet.budgetOf(key.keyId, epoch,
                FleetBudget.Kind.COST, key.costLimitMicroUsd, key.resetPeriod, quota.costBudget(), nowMillis);
        QuotaLimits held = new QuotaLimits(requestsLimit,
                tokens == null ? limits.tokens() : tokens.limitFor(nowMillis, estimatedTokens),
                cost == null ? limits.costMicroUsd() : cost.limitFor(nowMillis, estimatedCost), limits.resetPeriod());
        QuotaDecision d = quota.tryAdmit(nowMillis, held, estimatedTokens, estimatedCost);
        if (rate != null) {
            rate.settle(d.requests() != null && d.requests().admitted());
        }
        QuotaDecision.Limit refusedBy = d.refusedBy();
        if (d.admitted()) {
            if (tokens != null && !tokens.fits(nowMillis, committed(d.tokens()), estimatedTokens)) {
                refusedBy = QuotaDecision.Limit.TOKENS;
            } else if (cost != null && !cost.fits(nowMillis, committed(d.cost()), estimatedCost)) {
                refusedBy = QuotaDecision.Limit.COST;
            }
            if (refusedBy != null) { // a release shrank the allotment under this request: give it back
                quota.settle(nowMillis, d.tokens().estimate(), d.tokens().periodStartMillis(), 0,
                        d.cost().estimate(), d.cost().periodStartMillis(), 0);
            }
        } else if (refusedBy == QuotaDecision.Limit.TOKENS && tokens != null) {
            tokens.refused();
        } else if (refusedBy == QuotaDecision.Limit.COST && cost != null) {
            cost.refused();
        }
        boolean admitted = refusedBy == null;
        return new QuotaDecision(refusedBy, requestsSeen(key, rate, d.requests()),
                budgetSeen(tokens, d.tokens(), admitted, nowMillis), budgetSeen(cost, d.cost(), admitted, nowMillis));
    }

    /** This sidecar's requests allowance is spent: the budgets' probes for the 429 (nothing counted). */
    private static QuotaDecision allowanceSpent(ReplicaEntry key, KeyQuota quota, QuotaLimits limits, long nowMillis) {
        QuotaDecision none = quota.tryAdmit(nowMillis, withRequestsPerMinute(limits, 0), 0, 0);
        if (none.refusedBy() != QuotaDecision.Limit.REQUESTS_PER_MINUTE) {
            return none; // a spent token or cost budget is the answer that lasts longer
        }
        // The fleet's window is not known here; this sidecar's own holds its part of it.
        long emptyAfter = Math.max(RETRY_MILLIS, quota.requests().tryAcquire(nowMillis, 0).emptyAfterMillis());
        RateProbe spent = new RateProbe(false, 0, key.requestsPerMinute, RETRY_MILLIS, emptyAfter);
        return new QuotaDecision(QuotaDecision.Limit.REQUESTS_PER_MINUTE, spent, none.tokens(), none.cost());
    }

    /** The window's answer with the fleet's remaining requests as of the last sync. */
    private static RateProbe requestsSeen(ReplicaEntry key, FleetRate rate, RateProbe window) {
        if (rate == null || window == null) {
            return window;
        }
        long fleetRemaining = Math.max(0, key.requestsPerMinute - rate.fleetCount());
        // A fallback limit of 0 (L < N while Redis is silent) never frees a permit by itself; Redis may.
        long resetAfter = window.resetAfterMillis() == Long.MAX_VALUE && key.requestsPerMinute > 0
                ? RETRY_MILLIS : window.resetAfterMillis();
        return new RateProbe(window.admitted(), Math.min(window.remaining(), fleetRemaining), key.requestsPerMinute,
                resetAfter, window.emptyAfterMillis());
    }

    /**
     * The budget's answer as the client should see it: the key's limit and the fleet's remaining
     * amount; a refusal while the fleet still has some retries after {@link #RETRY_MILLIS}.
     */
    private static BudgetProbe budgetSeen(FleetBudget budget, BudgetProbe local, boolean admitted, long nowMillis) {
        if (budget == null || local == null) {
            return local;
        }
        long remaining = budget.fleetRemainingGiven(local.used() + local.reserved());
        long retryAt = !admitted && remaining > 0 ? Math.min(local.periodEndMillis(), nowMillis + RETRY_MILLIS)
                : local.periodEndMillis();
        return new BudgetProbe(local.admitted() && admitted, local.estimate(), local.used(), local.reserved(),
                remaining, budget.limit(), local.periodStartMillis(), retryAt);
    }

    private static long committed(BudgetProbe p) {
        return p.used() + p.reserved();
    }

    static QuotaLimits withRequestsPerMinute(QuotaLimits limits, long requestsPerMinute) {
        return requestsPerMinute == limits.requestsPerMinute() ? limits
                : new QuotaLimits(requestsPerMinute, limits.tokens(), limits.costMicroUsd(), limits.resetPeriod());
    }
}
