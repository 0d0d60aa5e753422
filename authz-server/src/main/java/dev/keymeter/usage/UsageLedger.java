package dev.keymeter.usage;

import dev.keymeter.quota.KeyQuota;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicaEntry;
import java.time.Clock;
import java.util.Objects;

/**
 * Charges the usage of finished requests to their keys' counters: the {@link UsageSink} behind the
 * access-log stream and {@code Report}.
 *
 * <ol>
 *   <li>A request id counted before for the same key is a {@link Settlement.Outcome#DUPLICATE} ({@link RecentRequests}):
 *       a retried report, or the same request seen by both the access log and {@code Report}.</li>
 *   <li>The key must be in the replica ({@link Settlement.Outcome#UNKNOWN_KEY} otherwise).</li>
 *   <li>A reservation id of another key is refused ({@link Settlement.Outcome#RESERVATION_OF_ANOTHER_KEY}),
 *       nothing charged: a reservation is settled only by a report naming the key it was made for, so a
 *       caller cannot release (or double-charge) another key's reservation.</li>
 *   <li>Cost: the reported one; else the tokens priced by the {@link PriceTable} for the reported
 *       model, or the model Check saw in the request; a model without a price under the refuse policy
 *       charges the tokens, no cost, and marks the key's spend unknown ({@link Budgets#spendUnknown}).</li>
 *   <li>With its open reservation, the reservation is replaced by the actual usage; with an expired
 *       one (already charged in full) only what the usage adds beyond the estimate is charged; without
 *       one, the usage is charged as it is.</li>
 * </ol>
 *
 * <p>{@link #expireReservations} (run every second by the sidecar) charges reservations whose TTL
 * passed in full. Thread-safe.
 */
public final class UsageLedger implements UsageSink {

    private final Budgets budgets;
    private final KeyReplica replica;
    private final RecentRequests recent;
    private final UsageListener listener;
    private final Clock clock;
    private static final ThreadLocal<ReplicaEntry> ENTRY = ThreadLocal.withInitial(ReplicaEntry::new);

    public UsageLedger(Budgets budgets, KeyReplica replica, RecentRequests recent, UsageListener listener, Clock clock) {
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        this.replica = Objects.requireNonNull(replica, "replica");
        this.recent = Objects.requireNonNull(recent, "recent");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Settlement settle(UsageRecord usage) {
        long now = clock.millis();
        ReplicaEntry key = ENTRY.get();
        if (!replica.lookupKey(usage.keyId(), key)) {
            return Settlement.UNKNOWN_KEY;
        }
        // Keyed by key and request id: a client that picks another request's x-request-id (when Envoy
        // is not the edge and passes it through) cannot have its own usage taken for a duplicate.
        // Before the request id is remembered: a refused report must not turn the key's real one into a duplicate.
        if (budgets.reservations().belongsToAnotherKey(usage.reservationId(), usage.keyId())) {
            return Settlement.RESERVATION_OF_ANOTHER_KEY;
        }
        if (usage.requestId() != null && !recent.firstTime(usage.keyId() + '\n' + usage.requestId(), now)) {
            return Settlement.DUPLICATE;
        }
        Reservation open = budgets.reservations().take(usage.reservationId(), usage.keyId());
        Reservation expired = open == null ? budgets.reservations().takeExpired(usage.reservationId(), usage.keyId())
                : null;
        Reservation r = open != null ? open : expired;
        String model = usage.model() != null ? usage.model() : r == null ? null : r.model();
        long cost = usage.hasCost() ? usage.costMicroUsd()
                : budgets.prices().costMicroUsd(model, usage.inputTokens(), usage.outputTokens());
        if (cost == PriceTable.UNPRICED) {
            budgets.markUnpriced(key, model);
            listener.unpriced(usage.keyId());
            cost = 0;
        }
        long tokens = usage.totalTokens();
        KeyQuota quota = budgets.quotaOf(key);
        long epoch = Budgets.counterEpoch(key);
        if (open != null && open.counterEpoch() == epoch) {
            quota.settle(now, open.tokens(), open.tokensPeriodStart(), tokens, open.costMicroUsd(),
                    open.costPeriodStart(), cost);
        } else if (expired != null && expired.counterEpoch() == epoch) {
            quota.charge(now, Math.max(0, tokens - expired.tokens()), Math.max(0, cost - expired.costMicroUsd()));
        } else {
            quota.charge(now, tokens, cost);
        }
        budgets.settledHere(key, quota, now);
        listener.charged(usage.keyId(), usage.inputTokens(), usage.outputTokens(), cost);
        return new Settlement(Settlement.Outcome.COUNTED, cost);
    }

    /** Charges every reservation whose TTL has passed in full; returns how many. Also ages the request ids. */
    public int expireReservations() {
        long now = clock.millis();
        recent.expire(now);
        int n = 0;
        ReplicaEntry key = new ReplicaEntry();
        for (Reservation r : budgets.reservations().expire(now)) {
            n++;
            if (replica.lookupKey(r.keyId(), key) && Budgets.counterEpoch(key) == r.counterEpoch()) {
                // Settling at the estimate keeps the amount charged and moves it from "reserved" to "used".
                budgets.quotaOf(key).settle(now, r.tokens(), r.tokensPeriodStart(), r.tokens(), r.costMicroUsd(),
                        r.costPeriodStart(), r.costMicroUsd());
            }
            listener.reservationExpired(r.keyId(), r.tokens(), r.costMicroUsd());
        }
        return n;
    }
}
