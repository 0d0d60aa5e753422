package dev.keymeter.metrics;

import dev.keymeter.quota.BudgetUsage;
import dev.keymeter.quota.KeyQuota;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicaEntry;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.IngestionListener;
import dev.keymeter.usage.Settlement;
import dev.keymeter.usage.UsageListener;
import dev.keymeter.usage.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Usage and budgets as meters.
 *
 * <p>Per key (key ids from the replica only, capped like {@link KeySeries}; the rest under
 * {@code key_id="_other"}):
 * <ul>
 *   <li>{@code keymeter_key_tokens_total{key_id, type}}: tokens charged, {@code type} {@code input},
 *       {@code output}, or {@code reserved} (an expired reservation charged in full);
 *   <li>{@code keymeter_key_cost_usd_total{key_id}}: cost charged, USD;
 *   <li>{@code keymeter_key_budget_remaining_usd{key_id}} and {@code keymeter_key_tokens_remaining{key_id}}:
 *       what the current period leaves, read from the counters at scrape time, for keys that have
 *       that limit and have been charged (a key without a cost limit has no remaining-USD series:
 *       "lowest remaining" panels list no NaN; NaN only if the limit was removed since).
 * </ul>
 *
 * <p>Ingestion: {@code keymeter_usage_entries_total{source, outcome}} ({@code source}
 * {@code access_log} or {@code report}; {@code outcome} {@code received}, {@code counted},
 * {@code duplicate}, {@code unmatched}, {@code malformed}, {@code no_usage}, {@code unknown_key},
 * {@code failed}); {@code keymeter_usage_rejected_total{source, reason}} (calls refused before they
 * were read: {@code reason} {@code unauthenticated}, no client certificate and no known ingest token);
 * {@code keymeter_reservations_expired_total}; {@code keymeter_usage_unpriced_total}
 * (usage of a model without a price, refuse policy); gauges {@code keymeter_reservations_in_flight},
 * {@code keymeter_quota_keys} and {@code keymeter_quota_capacity_keys}.
 *
 * <p>Thread-safe; never blocks or throws on the reporting paths.
 */
public final class UsageMetrics implements UsageListener, IngestionListener {

    private static final String[] OUTCOMES = {"received", "counted", "duplicate", "unmatched", "malformed",
        "no_usage", "unknown_key", "failed"};

    private final MeterRegistry registry;
    private final KeySeries inputTokens;
    private final KeySeries outputTokens;
    private final KeySeries reservedTokens;
    private final KeySeries cost;
    private final Counter expired;
    private final Counter unpriced;
    private final EnumMap<UsageRecord.Source, Map<String, Counter>> entries = new EnumMap<>(UsageRecord.Source.class);
    private final EnumMap<UsageRecord.Source, Counter> unauthenticated = new EnumMap<>(UsageRecord.Source.class);
    private final ConcurrentHashMap<String, Boolean> remainingUsd = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Boolean> remainingTokens = new ConcurrentHashMap<>();
    private final int maxKeySeries;
    private final Budgets budgets;
    private final KeyReplica replica;
    private final Clock clock;

    public UsageMetrics(MeterRegistry registry, int maxKeySeries, Budgets budgets, KeyReplica replica, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.budgets = Objects.requireNonNull(budgets, "budgets");
        this.replica = Objects.requireNonNull(replica, "replica");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxKeySeries = maxKeySeries;
        String tokens = "keymeter.key.tokens";
        String tokensHelp = "Tokens charged per key, by type (input, output, reserved: an expired reservation)";
        inputTokens = new KeySeries(registry, maxKeySeries, tokens, tokensHelp, "type", "input");
        outputTokens = new KeySeries(registry, maxKeySeries, tokens, tokensHelp, "type", "output");
        reservedTokens = new KeySeries(registry, maxKeySeries, tokens, tokensHelp, "type", "reserved");
        cost = new KeySeries(registry, maxKeySeries, "keymeter.key.cost.usd", "Cost charged per key, USD");
        expired = Counter.builder("keymeter.reservations.expired")
                .description("Reservations charged in full because no usage arrived within their TTL")
                .register(registry);
        unpriced = Counter.builder("keymeter.usage.unpriced")
                .description("Usage reports of a model without a price that could not be turned into cost")
                .register(registry);
        for (UsageRecord.Source source : UsageRecord.Source.values()) {
            Map<String, Counter> byOutcome = new ConcurrentHashMap<>();
            for (String outcome : OUTCOMES) {
                byOutcome.put(outcome, Counter.builder("keymeter.usage.entries")
                        .description("Usage entries received from the access log and Report, by outcome")
                        .tags("source", source.label(), "outcome", outcome)
                        .register(registry));
            }
            entries.put(source, byOutcome);
            unauthenticated.put(source, Counter.builder("keymeter.usage.rejected")
                    .description("Usage calls refused before they were read, by reason")
                    .tags("source", source.label(), "reason", "unauthenticated")
                    .register(registry));
        }
        Gauge.builder("keymeter.reservations.in.flight", budgets.reservations(), r -> r.size())
                .description("Reservations waiting for their usage").register(registry);
        Gauge.builder("keymeter.quota.keys", budgets.counters(), c -> c.size())
                .description("Keys (with usage epochs) in the persisted counters").register(registry);
        Gauge.builder("keymeter.quota.capacity.keys", budgets.counters(), c -> c.capacity())
                .description("Keys the persisted counters can hold (--quota-capacity)").register(registry);
    }

    @Override
    public void charged(String keyId, long in, long out, long costMicroUsd) {
        inputTokens.increment(keyId, in);
        outputTokens.increment(keyId, out);
        cost.increment(keyId, costMicroUsd / 1_000_000.0);
        remainingGauges(keyId);
    }

    @Override
    public void unpriced(String keyId) {
        unpriced.increment();
    }

    @Override
    public void reservationExpired(String keyId, long tokens, long costMicroUsd) {
        expired.increment();
        reservedTokens.increment(keyId, tokens);
        cost.increment(keyId, costMicroUsd / 1_000_000.0);
    }

    @Override
    public void received(UsageRecord.Source source) {
        count(source, "received");
    }

    @Override
    public void unmatched(UsageRecord.Source source) {
        count(source, "unmatched");
    }

    @Override
    public void malformed(UsageRecord.Source source, String field) {
        count(source, "malformed");
    }

    @Override
    public void noUsage(UsageRecord.Source source, String keyId, boolean reserved) {
        count(source, "no_usage");
    }

    @Override
    public void counted(UsageRecord usage, Settlement settlement) {
        count(usage.source(), "counted");
    }

    @Override
    public void duplicate(UsageRecord usage) {
        count(usage.source(), "duplicate");
    }

    @Override
    public void unknownKey(UsageRecord usage) {
        count(usage.source(), "unknown_key");
    }

    @Override
    public void failed(UsageRecord.Source source, RuntimeException cause) {
        count(source, "failed");
    }

    @Override
    public void unauthenticated(UsageRecord.Source source) {
        unauthenticated.get(source).increment();
    }

    private void count(UsageRecord.Source source, String outcome) {
        entries.get(source).get(outcome).increment();
    }

    /** Registers each remaining-budget gauge of a charged key once, if it has that limit, within the cap. */
    private void remainingGauges(String keyId) {
        if (remainingUsd.containsKey(keyId) && remainingTokens.containsKey(keyId)) {
            return;
        }
        ReplicaEntry key = new ReplicaEntry();
        if (!replica.lookupKey(keyId, key)) {
            return;
        }
        if (key.costLimitMicroUsd != ReplicaEntry.NO_LIMIT && claim(remainingUsd, keyId)) {
            Gauge.builder("keymeter.key.budget.remaining.usd", keyId, id -> remaining(id, true))
                    .description("Cost the key's current period leaves, USD (NaN: its cost limit was removed)")
                    .tag(KeySeries.KEY_ID, keyId).register(registry);
        }
        if (key.tokenLimit != ReplicaEntry.NO_LIMIT && claim(remainingTokens, keyId)) {
            Gauge.builder("keymeter.key.tokens.remaining", keyId, id -> remaining(id, false))
                    .description("Tokens the key's current period leaves (NaN: its token limit was removed)")
                    .tag(KeySeries.KEY_ID, keyId).register(registry);
        }
    }

    /** True for the one caller that adds {@code keyId} to {@code gauges}, while under the cap. */
    private boolean claim(ConcurrentHashMap<String, Boolean> gauges, String keyId) {
        return !gauges.containsKey(keyId) && gauges.size() < maxKeySeries && gauges.putIfAbsent(keyId, Boolean.TRUE) == null;
    }

    /** Read at scrape time, off the hot path. */
    private double remaining(String keyId, boolean usd) {
        ReplicaEntry key = new ReplicaEntry();
        if (!replica.lookupKey(keyId, key)) {
            return Double.NaN;
        }
        long limit = usd ? key.costLimitMicroUsd : key.tokenLimit;
        if (limit == ReplicaEntry.NO_LIMIT) {
            return Double.NaN;
        }
        KeyQuota quota = budgets.existingQuotaOf(key);
        long now = clock.millis();
        BudgetUsage u = quota == null ? null : usd ? quota.cost(now) : quota.tokens(now);
        long left = u == null ? limit : Math.max(0, limit - u.used() - u.reserved());
        return usd ? left / 1_000_000.0 : left;
    }
}
