package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import java.util.Objects;

/**
 * The three counters of one key over one set of {@link CounterCells}: requests per rolling minute
 * ({@link RollingWindow}, cells 0–62), tokens per reset period ({@link PeriodBudget}, cells 63–64)
 * and cost in micro-USD per reset period ({@link PeriodBudget}, cells 65–66).
 *
 * <h2>Admission</h2>
 * {@link #tryAdmit} asks the token budget, then the cost budget, then the window, and stops at the
 * first refusal. The budgets' reservations made before a refusal are released again (settled at 0,
 * in the same period, so exactly), and the window is asked last because a window admission cannot
 * be taken back. A refused request therefore leaves every counter as it found it (apart from the
 * moment between a reservation and its release, in which a concurrent request may see that
 * reservation and be refused too: the conservative side). A dimension without a limit is counted
 * against {@link PeriodBudget#MAX_AMOUNT} / {@link RollingWindow#MAX_LIMIT}: its usage is tracked,
 * it never refuses (a budget without a limit admits without a reservation an estimate it cannot fit).
 *
 * <p>Stateless besides the cells, so it is cheap to create per request and any number of instances
 * may share the cells. Thread-safe as its three counters are (see their class comments for the
 * memory-ordering arguments): no extra synchronization is needed, because each counter decides on its
 * own word and the release of a reservation is itself one of those atomic updates.
 */
public final class KeyQuota {

    /** Cells one key occupies. */
    public static final int CELLS = RollingWindow.CELLS + 2 * PeriodBudget.CELLS;

    private static final int TOKENS_AT = RollingWindow.CELLS;
    private static final int COST_AT = TOKENS_AT + PeriodBudget.CELLS;

    private final RollingWindow requests;
    private final PeriodBudget tokens;
    private final PeriodBudget cost;

    public KeyQuota(CounterCells cells, ResetPeriod resetPeriod) {
        Objects.requireNonNull(cells, "cells");
        if (cells.size() < CELLS) {
            throw new IllegalArgumentException("a key needs " + CELLS + " cells, got " + cells.size());
        }
        this.requests = new RollingWindow(cells, 0);
        this.tokens = new PeriodBudget(cells, TOKENS_AT, resetPeriod);
        this.cost = new PeriodBudget(cells, COST_AT, resetPeriod);
    }

    /**
     * Admits one request at {@code nowMillis} if every limit allows it, reserving
     * {@code estimatedTokens} and {@code estimatedCostMicroUsd} (0 when there is no estimate: the
     * budget then admits while anything remains).
     */
    public QuotaDecision tryAdmit(long nowMillis, QuotaLimits limits, long estimatedTokens, long estimatedCostMicroUsd) {
        BudgetProbe t = reserve(tokens, nowMillis, estimatedTokens, limits.tokens());
        if (!t.admitted()) {
            return new QuotaDecision(QuotaDecision.Limit.TOKENS, null, t, null);
        }
        BudgetProbe c = reserve(cost, nowMillis, estimatedCostMicroUsd, limits.costMicroUsd());
        if (!c.admitted()) {
            release(nowMillis, tokens, t);
            return new QuotaDecision(QuotaDecision.Limit.COST, null, t, c);
        }
        long rpm = limits.requestsPerMinute() == QuotaLimits.NONE ? RollingWindow.MAX_LIMIT : limits.requestsPerMinute();
        RateProbe r = requests.tryAcquire(nowMillis, rpm);
        if (!r.admitted()) {
            release(nowMillis, tokens, t);
            release(nowMillis, cost, c);
            return new QuotaDecision(QuotaDecision.Limit.REQUESTS_PER_MINUTE, r, t, c);
        }
        return new QuotaDecision(null, r, t, c);
    }

    /**
     * Replaces the reservations of an admitted request (made in the periods starting at
     * {@code tokensPeriodStart} / {@code costPeriodStart}) by its actual usage; see
     * {@link PeriodBudget#settle(long, long, long, long)}.
     */
    public void settle(long nowMillis, long reservedTokens, long tokensPeriodStart, long actualTokens,
            long reservedCost, long costPeriodStart, long actualCostMicroUsd) {
        tokens.settle(nowMillis, reservedTokens, tokensPeriodStart, clamp(actualTokens));
        cost.settle(nowMillis, reservedCost, costPeriodStart, clamp(actualCostMicroUsd));
    }

    /** Charges usage that had no reservation (e.g. reported for a request admitted elsewhere). */
    public void charge(long nowMillis, long actualTokens, long actualCostMicroUsd) {
        tokens.add(nowMillis, clamp(actualTokens));
        cost.add(nowMillis, clamp(actualCostMicroUsd));
    }

    /** The rolling window of requests, for a fleet sync to read its per-second counts. */
    public RollingWindow requests() {
        return requests;
    }

    /** The token budget, for a fleet sync to read what this sidecar committed. */
    public PeriodBudget tokenBudget() {
        return tokens;
    }

    /** The cost budget (micro-USD), for a fleet sync to read what this sidecar committed. */
    public PeriodBudget costBudget() {
        return cost;
    }

    /** Requests counted in the rolling window at {@code nowMillis}. */
    public long requestsInWindow(long nowMillis) {
        return requests.peek(nowMillis);
    }

    public BudgetUsage tokens(long nowMillis) {
        return tokens.snapshot(nowMillis);
    }

    public BudgetUsage cost(long nowMillis) {
        return cost.snapshot(nowMillis);
    }

    private static void release(long nowMillis, PeriodBudget budget, BudgetProbe reservation) {
        if (reservation.estimate() > 0) {
            budget.settle(nowMillis, reservation, 0);
        }
    }

    /**
     * Reserves {@code estimate} against {@code limit}. A dimension without a limit is counted against
     * {@link PeriodBudget#MAX_AMOUNT} and never refuses: when the estimate does not fit (an absurd one,
     * saturated to the bound, or a counter already full), the request goes on without a reservation
     * there and its usage is charged when it arrives (saturating).
     */
    private static BudgetProbe reserve(PeriodBudget budget, long nowMillis, long estimate, long limit) {
        if (limit != QuotaLimits.NONE) {
            return budget.tryReserve(nowMillis, estimate, limit);
        }
        BudgetProbe p = budget.tryReserve(nowMillis, estimate, PeriodBudget.MAX_AMOUNT);
        return p.admitted() ? p : new BudgetProbe(true, 0, p.used(), p.reserved(), p.remaining(), p.limit(),
                p.periodStartMillis(), p.periodEndMillis());
    }

    /** Usage beyond what a counter holds saturates there (17.6 M USD or 17.6 T tokens per period). */
    private static long clamp(long amount) {
        return Math.max(0, Math.min(PeriodBudget.MAX_AMOUNT, amount));
    }
}
