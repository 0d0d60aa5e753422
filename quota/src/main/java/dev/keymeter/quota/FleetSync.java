package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One sidecar's side of fleet-wide limits: the {@link FleetRate} (requests per minute) and the
 * {@link FleetBudget}s (tokens, cost) of every key it has admitted lately, and the {@link #tick} that
 * syncs them with the {@link FleetStore}.
 *
 * <p>Each tick (run every {@link Settings#tickMillis}{@code / 4} by one thread) it
 * <ul>
 *   <li>renews this sidecar's membership every {@link Settings#heartbeatMillis} and learns N, the live
 *       sidecars;</li>
 *   <li>starts one sync per key that is due: every {@link Settings#tickMillis} T, every T/4 once the
 *       fleet has counted half the key's limit; a key keeps syncing until 61 s after its last request,
 *       so every admission it made reaches the store, then it is dropped;</li>
 *   <li>notes whether the store is out of reach: no answer for {@link Settings#degradeAfterMillis}
 *       ({@link #degraded()}, for metrics and health).</li>
 * </ul>
 * A key whose last answer is older than {@link Settings#degradeAfterMillis} stops trusting its
 * allowance ({@link #take}): it admits only while this sidecar's own rolling 60 s hold fewer than
 * ⌊L / N⌋ (N last known), so the fleet keeps to about L without the store. Its next answer ends
 * that, and since syncs push absolute counts the fleet count is right again without replaying
 * anything.
 *
 * <p>A token or cost budget syncs when its sidecar needs more allotment, has usage to report, runs
 * low, goes idle (it releases what it does not use) or every {@link FleetBudget#REFRESH_MILLIS};
 * see {@link FleetBudget#due}. While the store is out of reach, each budget spends the allotment it
 * holds, then once adds ⌊(L − fleet committed) / N⌋ as of its last answer
 * ({@link FleetBudget#takeOutageShare}).
 * Nothing here waits for the store: calls return stages, and their completions (on the store's
 * threads) apply answers to the key's {@link FleetRate}. Thread-safe.
 */
public final class FleetSync {

    /**
     * @param sidecarId          this sidecar's name in the store (unique in the fleet)
     * @param tickMillis         T, the sync interval of a key (100 ms by default)
     * @param heartbeatMillis    how often membership is renewed
     * @param memberTtlMillis    how long a sidecar counts as alive after its last heartbeat
     * @param degradeAfterMillis silence from the store after which admission falls back to ⌊L / N⌋
     */
    public record Settings(String sidecarId, long tickMillis, long heartbeatMillis, long memberTtlMillis,
                           long degradeAfterMillis) {
        public Settings {
            Objects.requireNonNull(sidecarId, "sidecarId");
            if (tickMillis < 4 || heartbeatMillis < 1 || memberTtlMillis <= heartbeatMillis || degradeAfterMillis < tickMillis) {
                throw new IllegalArgumentException("fleet sync settings out of range: " + this);
            }
        }

        public static Settings defaults(String sidecarId) {
            return new Settings(sidecarId, 100, 1_000, 3_000, 1_000);
        }
    }

    /** A key stops syncing this long after its last request: its admissions have all left the window. */
    static final long IDLE_MILLIS = 61_000;


    private final FleetStore store;
    private final Settings settings;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, FleetRate> rates = new ConcurrentHashMap<>();
    /** Key id → budget, one map per kind: a lookup on the Check thread allocates nothing. */
    private final ConcurrentHashMap<String, FleetBudget> tokenBudgets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, FleetBudget> costBudgets = new ConcurrentHashMap<>();
    /** This process among the store's records: a restarted sidecar with the same id replaces its old records. */
    private final String incarnation;
    private volatile int sidecars = 1;
    private volatile long lastAnswerMillis;
    private volatile boolean degraded;
    private long nextHeartbeatMillis;
    private long lastTickMillis;
    private final LongAdder syncs = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder degradedMillis = new LongAdder();
    private final LongAdder syncMillis = new LongAdder();
    private final AtomicLong worstOvershoot = new AtomicLong();

    /** @param clock epoch milliseconds; the one clock of the sidecar's decisions */
    public FleetSync(FleetStore store, Settings settings, LongSupplier clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lastAnswerMillis = clock.getAsLong();
        this.lastTickMillis = lastAnswerMillis;
        this.nextHeartbeatMillis = lastAnswerMillis;
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        this.incarnation = HexFormat.of().formatHex(random);
    }

    public Settings settings() {
        return settings;
    }

    /**
     * The fleet state of a key with a requests-per-minute limit, created on its first request with
     * the share of an empty window ({@code ⌊L / N⌋}); a new counter epoch (a usage reset) starts afresh.
     */
    public FleetRate rateOf(String keyId, long epoch, long limit, RollingWindow window, long nowMillis) {
        FleetRate rate = rates.get(keyId);
        if (rate == null || rate.epoch() != epoch) {
            FleetRate fresh = new FleetRate(keyId, epoch, limit, FleetRate.share(limit, 0, sidecars), window, nowMillis);
            rate = rates.compute(keyId, (id, old) -> old == null || old.epoch() != epoch ? fresh : old);
        }
        rate.used(nowMillis, limit, window);
        return rate;
    }

    /**
     * The fleet state of a key's token or cost budget with limit {@code limit}, created on its first
     * request; a new counter epoch (a usage reset) or reset period starts afresh.
     */
    public FleetBudget budgetOf(String keyId, long epoch, FleetBudget.Kind kind, long limit, ResetPeriod period,
            PeriodBudget local, long nowMillis) {
        ConcurrentHashMap<String, FleetBudget> budgets = budgetsOf(kind);
        FleetBudget budget = budgets.get(keyId);
        if (budget == null || budget.epoch() != epoch || budget.period() != period) {
            FleetBudget fresh = new FleetBudget(keyId, epoch, kind, period, limit, local, nowMillis);
            budget = budgets.compute(keyId, (k, old) -> old == null || old.epoch() != epoch || old.period() != period
                    ? fresh : old);
        }
        budget.used(nowMillis, limit, local);
        return budget;
    }

    /**
     * The fleet state of a key's budget if this sidecar has one, else {@code null}; creates nothing
     * (for usage settled here: it must reach the fleet's count).
     */
    public FleetBudget existingBudget(String keyId, FleetBudget.Kind kind) {
        return budgetsOf(kind).get(keyId);
    }

    /** The sidecar's clock, epoch milliseconds (the one its decisions use). */
    public long now() {
        return clock.getAsLong();
    }

    /** Budgets held now. */
    public Collection<FleetBudget> budgets() {
        List<FleetBudget> all = new ArrayList<>(tokenBudgets.values());
        all.addAll(costBudgets.values());
        return all;
    }

    private ConcurrentHashMap<String, FleetBudget> budgetsOf(FleetBudget.Kind kind) {
        return kind == FleetBudget.Kind.TOKENS ? tokenBudgets : costBudgets;
    }

    /**
     * Gates one request of a key with a requests-per-minute limit {@code limit}: −1 when this
     * sidecar's allowance is spent (refuse), else the limit the key's own window must apply — the
     * key's limit while its allowance is fresh, ⌊L / N⌋ while its syncs go unanswered (see the class
     * comment). Unless refused, the caller must {@link FleetRate#settle} the permit.
     */
    public long take(FleetRate rate, long nowMillis) {
        if (rate.fresh(nowMillis, settings.degradeAfterMillis())) {
            return rate.tryTake() ? rate.limit() : -1;
        }
        rate.takeAnyway();
        return degradedLimit(rate.limit());
    }

    /** True while the store has not answered for {@link Settings#degradeAfterMillis}. */
    public boolean degraded() {
        return degraded;
    }

    /** Live sidecars as last heard (1 before the first answer). */
    public int sidecars() {
        return sidecars;
    }

    /** The limit each sidecar keeps to on its own while {@link #degraded()}: ⌊L / N⌋. */
    public long degradedLimit(long limit) {
        return FleetRate.share(limit, 0, sidecars);
    }

    /** Keys being synced now. */
    public Collection<FleetRate> rates() {
        return rates.values();
    }

    public long syncs() {
        return syncs.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long degradedMillis() {
        return degradedMillis.sum();
    }

    /** Milliseconds the answered syncs took, summed (with {@link #syncs()}: their mean latency). */
    public long syncMillis() {
        return syncMillis.sum();
    }

    /** The most a fleet count has exceeded its key's limit, as this sidecar's syncs saw it. */
    public long worstOvershoot() {
        return worstOvershoot.get();
    }

    /** Heartbeats now and applies the answer when it comes; for start-up, so that N is known early. */
    public CompletionStage<Integer> heartbeat() {
        return store.heartbeat(settings.sidecarId(), settings.memberTtlMillis()).whenComplete((n, e) -> {
            if (e == null) {
                sidecars = Math.max(1, n);
                answered();
            } else {
                errors.increment();
            }
        });
    }

    /** One round of the sync loop (see the class comment); run by one thread. */
    public void tick() {
        long now = clock.getAsLong();
        if (now >= nextHeartbeatMillis) {
            nextHeartbeatMillis = now + settings.heartbeatMillis();
            heartbeat();
        }
        for (FleetRate rate : rates.values()) {
            if (now - rate.lastUsedMillis() > IDLE_MILLIS) {
                rates.remove(rate.keyId(), rate);
            } else if (now - rate.lastAttemptMillis() >= interval(rate) && rate.startSync(now)) {
                sync(rate, now);
            }
        }
        for (FleetBudget budget : budgets()) {
            if (now - budget.lastUsedMillis() > FleetBudget.FORGET_MILLIS && budget.stranded(now) == 0) {
                budgetsOf(budget.kind()).remove(budget.keyId(), budget);
            } else if (degraded) {
                budget.takeOutageShare(now, sidecars);
            } else if (budget.due(now, settings.tickMillis() / 4, sidecars) && budget.startSync(now)) {
                sync(budget, now, false);
            }
        }
        boolean silent = clock.getAsLong() - lastAnswerMillis > settings.degradeAfterMillis();
        if (silent && degraded) {
            degradedMillis.add(Math.max(0, now - lastTickMillis));
        }
        degraded = silent;
        lastTickMillis = now;
    }

    private void sync(FleetRate rate, long now) {
        FleetRate.Capture capture = rate.capture(now);
        CompletionStage<Long> answer;
        try {
            answer = store.syncRequests(rate.keyId(), rate.epoch(), settings.sidecarId(), capture.second(),
                    capture.counts());
        } catch (RuntimeException e) { // a store that throws instead of failing its stage: never stop syncing the key
            rate.failed();
            errors.increment();
            return;
        }
        answer.whenComplete((fleet, e) -> {
            if (e == null) {
                long answeredAt = clock.getAsLong();
                rate.apply(capture, fleet, sidecars, answeredAt);
                syncs.increment();
                syncMillis.add(Math.max(0, answeredAt - now));
                worstOvershoot.accumulateAndGet(fleet - rate.limit(), Math::max);
                answered();
            } else {
                rate.failed();
                errors.increment();
            }
        });
    }

    /**
     * Gives back, for every budget, the allotment it holds beyond what it committed (for a sidecar that
     * stops: its allotments would otherwise stay stranded until their lease lapses). Completes when
     * every store answered or failed.
     */
    public CompletableFuture<Void> releaseAll() {
        long now = clock.getAsLong();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (FleetBudget budget : budgets()) {
            if (budget.startSync(now)) {
                all.add(sync(budget, now, true).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null);
    }

    private CompletionStage<?> sync(FleetBudget budget, long now, boolean release) {
        FleetBudget.Capture c = budget.capture(now, sidecars, release);
        FleetStore.BudgetSync request = new FleetStore.BudgetSync(budget.keyId(), budget.epoch(), budget.kind(),
                c.periodIndex(), c.periodEndMillis(), settings.sidecarId(), incarnation, c.seq(), c.used(), c.keep(),
                c.want(), budget.limit(), sidecars, FleetBudget.LEASE_MILLIS);
        CompletionStage<FleetStore.BudgetGrant> answer;
        try {
            answer = store.syncBudget(request);
        } catch (RuntimeException e) { // a store that throws instead of failing its stage
            budget.failed();
            errors.increment();
            return CompletableFuture.completedFuture(null);
        }
        return answer.whenComplete((grant, e) -> {
            if (e == null) {
                long answeredAt = clock.getAsLong();
                budget.apply(c, grant.allotment(), grant.fleetCommitted(), grant.fleetUsed(), answeredAt);
                syncs.increment();
                syncMillis.add(Math.max(0, answeredAt - now));
                answered();
            } else {
                budget.failed();
                errors.increment();
            }
        });
    }

    private void answered() {
        long now = clock.getAsLong();
        if (now > lastAnswerMillis) {
            lastAnswerMillis = now;
        }
        degraded = false;
    }

    /** T, or T/4 once the fleet has counted half the key's limit. */
    private long interval(FleetRate rate) {
        return 2 * rate.fleetCount() >= rate.limit() ? settings.tickMillis() / 4 : settings.tickMillis();
    }
}
