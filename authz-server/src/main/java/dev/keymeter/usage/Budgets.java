package dev.keymeter.usage;

import dev.keymeter.quota.CounterStore;
import dev.keymeter.quota.FleetBudget;
import dev.keymeter.quota.FleetSync;
import dev.keymeter.quota.KeyQuota;
import dev.keymeter.quota.QuotaDecision;
import dev.keymeter.quota.QuotaLimits;
import dev.keymeter.replica.ReplicaEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sidecar's budgets: the persisted per-key counters ({@link CounterStore}), the price table, the
 * reservations in flight and the keys whose usage could not be priced (kept in a {@link
 * SpendUnknownFile} when one is given, so that they stay blocked across a restart). Check {@link #admit}s through
 * it; the {@link UsageLedger} settles through it; the admin overview reads it.
 *
 * <p>A key's counters are addressed by its id and its {@link #counterEpoch}: an administrative usage
 * reset, or an edit of the reset period (whose period numbers are not comparable, see
 * {@code PeriodBudget}), moves the key to fresh cells.
 *
 * <p>Thread-safe: the counters are lock-free, the tables concurrent.
 */
public final class Budgets {

    private static final System.Logger LOG = System.getLogger("keymeter.usage");

    private final CounterStore counters;
    private final PriceTable prices;
    private final Reservations reservations;
    /** The fleet's shared limits, or {@code null} when this sidecar counts alone. */
    private final FleetSync fleet;
    private final FleetAdmission fleetAdmission;
    /** Key id → the model whose usage could not be priced (policy refuse); cleared by a usage reset. */
    private final ConcurrentHashMap<String, Unpriced> unpriced = new ConcurrentHashMap<>();

    /** Where {@link #unpriced} is persisted, or null (memory only). */
    private final SpendUnknownFile spendUnknownFile;

    /** Keys whose counters changed since the usage reporter last drained them. */
    private final Set<String> touched = ConcurrentHashMap.newKeySet();
    private final AdmittedRequests admitted = new AdmittedRequests();

    private record Unpriced(long counterEpoch, String model) {
    }

    /** The answer to one admission: the counters' decision and the reservation made, if any. */
    public record Admission(QuotaDecision decision, String reservationId) {
    }

    public Budgets(CounterStore counters, PriceTable prices, Reservations reservations) {
        this(counters, prices, reservations, null);
    }

    /** @param fleet shares the keys' limits with the fleet; {@code null}: this sidecar counts alone */
    public Budgets(CounterStore counters, PriceTable prices, Reservations reservations, FleetSync fleet) {
        this(counters, prices, reservations, fleet, null);
    }

    /**
     * @param spendUnknownFile where the keys whose spend is unknown are kept across restarts (loaded
     *     here); {@code null}: in memory only (tests of other things)
     * @throws java.io.UncheckedIOException naming the file when it exists but cannot be read
     */
    public Budgets(CounterStore counters, PriceTable prices, Reservations reservations, FleetSync fleet,
            SpendUnknownFile spendUnknownFile) {
        this.counters = Objects.requireNonNull(counters, "counters");
        this.prices = Objects.requireNonNull(prices, "prices");
        this.reservations = Objects.requireNonNull(reservations, "reservations");
        this.fleet = fleet;
        this.fleetAdmission = fleet == null ? null : new FleetAdmission(fleet);
        this.spendUnknownFile = spendUnknownFile;
        if (spendUnknownFile != null) {
            spendUnknownFile.load().forEach((keyId, epoch) -> unpriced.put(keyId, new Unpriced(epoch, "")));
        }
    }

    /** The fleet sync, or {@code null} when this sidecar counts alone. */
    public FleetSync fleet() {
        return fleet;
    }

    public PriceTable prices() {
        return prices;
    }

    public Reservations reservations() {
        return reservations;
    }

    public CounterStore counters() {
        return counters;
    }

    /** Requests admitted per key since this process started (the usage reports' {@code requests_total}). */
    public AdmittedRequests admittedRequests() {
        return admitted;
    }

    /** The epoch of {@code key}'s counter cells: its usage epoch and its reset period. */
    public static long counterEpoch(ReplicaEntry key) {
        return (key.usageEpoch << 2) | key.resetPeriod.ordinal();
    }

    public static QuotaLimits limitsOf(ReplicaEntry key) {
        return new QuotaLimits(key.requestsPerMinute, key.tokenLimit, key.costLimitMicroUsd, key.resetPeriod);
    }

    /** The key's counters, created on first use; notes the key as touched for the usage reporter. */
    public KeyQuota quotaOf(ReplicaEntry key) {
        if (!touched.contains(key.keyId)) { // a read first: the common case (already noted) writes nothing
            touched.add(key.keyId);
        }
        return new KeyQuota(counters.cellsFor(key.keyId, counterEpoch(key)), key.resetPeriod);
    }

    /** The key's counters if it has any, else {@code null}; creates nothing. */
    public KeyQuota existingQuotaOf(ReplicaEntry key) {
        var cells = counters.existing(key.keyId, counterEpoch(key));
        return cells == null ? null : new KeyQuota(cells, key.resetPeriod);
    }

    /**
     * Counts one request of {@code key} at {@code nowMillis} against its limits, reserving the
     * estimates (0: none); an admitted request with an estimate gets a reservation that expires after
     * the TTL.
     *
     * @throws dev.keymeter.quota.CounterStoreFullException when the key has no counters yet and there is no room
     */
    public Admission admit(ReplicaEntry key, String model, long estimatedTokens, long estimatedCostMicroUsd,
            long nowMillis) {
        KeyQuota quota = quotaOf(key);
        QuotaLimits limits = limitsOf(key);
        QuotaDecision d;
        if (fleet == null || !limited(key)) {
            d = quota.tryAdmit(nowMillis, limits, estimatedTokens, estimatedCostMicroUsd);
        } else {
            d = fleetAdmission.admit(key, quota, limits, estimatedTokens, estimatedCostMicroUsd, nowMillis);
        }
        if (d.admitted()) {
            admitted.admitted(key.keyId);
        }
        if (!d.admitted() || (d.tokens().estimate() == 0 && d.cost().estimate() == 0)) {
            return new Admission(d, null);
        }
        Reservation r = new Reservation(key.keyId, counterEpoch(key), d.tokens().estimate(),
                d.tokens().periodStartMillis(), d.cost().estimate(), d.cost().periodStartMillis(), model,
                nowMillis + reservations.ttlMillis());
        // A full table evicts its oldest reservation, which is then charged in full (see Reservations).
        return new Admission(d, reservations.open(r));
    }

    /**
     * Usage of {@code key} was settled or charged to {@code quota} here: when the fleet shares its
     * budgets, the next sync reports it (whichever sidecar admitted the request).
     */
    public void settledHere(ReplicaEntry key, KeyQuota quota, long nowMillis) {
        if (fleet == null) {
            return;
        }
        long epoch = counterEpoch(key);
        if (key.tokenLimit != ReplicaEntry.NO_LIMIT) {
            fleet.budgetOf(key.keyId, epoch, FleetBudget.Kind.TOKENS, key.tokenLimit, key.resetPeriod,
                    quota.tokenBudget(), nowMillis).changed();
        }
        if (key.costLimitMicroUsd != ReplicaEntry.NO_LIMIT) {
            fleet.budgetOf(key.keyId, epoch, FleetBudget.Kind.COST, key.costLimitMicroUsd, key.resetPeriod,
                    quota.costBudget(), nowMillis).changed();
        }
    }

    private static boolean limited(ReplicaEntry key) {
        return key.requestsPerMinute != ReplicaEntry.NO_LIMIT || key.tokenLimit != ReplicaEntry.NO_LIMIT
                || key.costLimitMicroUsd != ReplicaEntry.NO_LIMIT;
    }

    /** The keys whose counters changed since the last call, removed from the set as they are returned. */
    public List<String> drainTouched() {
        List<String> out = new ArrayList<>();
        for (var it = touched.iterator(); it.hasNext(); ) {
            out.add(it.next());
            it.remove();
        }
        return out;
    }

    /**
     * Records that usage of {@code key} with {@code model} could not be priced; a key newly marked (or
     * marked in a new counter epoch) is written to the {@link SpendUnknownFile} before this returns,
     * so that the block survives a restart. A failed write is logged naming the file; the block still
     * holds in memory.
     */
    public void markUnpriced(ReplicaEntry key, String model) {
        long epoch = counterEpoch(key);
        Unpriced previous = unpriced.put(key.keyId, new Unpriced(epoch, model == null ? "" : model));
        if (spendUnknownFile != null && (previous == null || previous.counterEpoch != epoch)) {
            persistUnpriced();
        }
    }

    /** Writes every marked key; serialized, so that a slower writer never replaces a newer file with an older map. */
    private synchronized void persistUnpriced() {
        Map<String, Long> keys = new HashMap<>();
        unpriced.forEach((keyId, u) -> keys.put(keyId, u.counterEpoch));
        try {
            spendUnknownFile.save(keys);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the keys whose spend is unknown to "
                    + spendUnknownFile.path() + " (" + e + "); they stay blocked until this sidecar restarts");
        }
    }

    /**
     * True when {@code key} has a cost limit and usage of an unpriced model was charged to its
     * current counters: its spend is no longer known, so it is refused until a usage reset.
     */
    public boolean spendUnknown(ReplicaEntry key) {
        if (key.costLimitMicroUsd == ReplicaEntry.NO_LIMIT || unpriced.isEmpty()) {
            return false;
        }
        Unpriced u = unpriced.get(key.keyId);
        return u != null && u.counterEpoch == counterEpoch(key);
    }
}
