package dev.keymeter.metrics;

import dev.keymeter.check.DecisionListener;
import dev.keymeter.check.DenialReason;
import dev.keymeter.routes.ResourceAccess;
import dev.keymeter.threadlog.ThreadLogs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The Check decision as meters: every outcome counted, the latency histogram, and allowed requests
 * per key.
 *
 * <ul>
 *   <li>{@code keymeter_checks_total{decision, reason}}: {@code decision} is {@code allowed},
 *       {@code denied}, {@code not_ready} or {@code error}; {@code reason} is a {@link
 *       DenialReason#label()} for denials, {@code none} otherwise. All 13 series exist from
 *       construction (at 0), resolved once into fields and an {@link EnumMap}: the hot path reads a
 *       field or an array slot and increments, with no lookup by name and no allocation.
 *   <li>{@code keymeter_check_duration_seconds}: a histogram (percentile buckets from 50 µs to 100 ms
 *       plus fixed SLO buckets), fed by whoever times the call, through {@link #recordLatencyNanos}.
 *   <li>{@code keymeter_key_requests_total{key_id}}: allowed requests per key, see {@link KeySeries}.
 *       Counted in two steps: the Check thread appends the key id to its log ({@link ThreadLogs}),
 *       and {@link #flush} (every 50 ms on the sidecar's background thread, and before every scrape)
 *       adds the logged requests to their series. With a million keys, looking a key's counter up
 *       on the Check thread was a chain of cache misses on most requests. A thread whose log is full
 *       counts at once.
 *   <li>{@code keymeter_key_rate_limited_total{key_id, limit}}: 429s per key, {@code limit} one of
 *       {@code requests_per_minute}, {@code tokens}, {@code cost}; same cap.
 * </ul>
 *
 * <p>Label values come only from closed sets: the enums above, and key ids. {@link #allowed} is
 * called by {@link dev.keymeter.check.Authorizer} only with the id of a key it found in the replica
 * (a record the control plane wrote), never with anything the client sent; {@link #denied} is given
 * an id for the same kind of key or {@code null}, and never makes a label of it. So a client
 * sending a million different tokens adds no series (design §6).
 *
 * <p>Thread-safe; never blocks (past the first allowed request of a key) and never throws. {@link #flush}
 * takes a lock that the listener methods never take.
 */
public final class CheckMetrics implements DecisionListener {

    static final String CHECKS = "keymeter.checks";
    static final String DURATION = "keymeter.check.duration";
    static final String LIMITED = "keymeter.key.rate.limited";
    static final String NONE = "none";
    /** Allowed requests each Check thread can log between two flushes 50 ms apart: 80,000 a second. */
    static final int LOG_CAPACITY = 4_096;

    private final Counter allowed;
    private final Counter notReady;
    private final Counter error;
    private final EnumMap<DenialReason, Counter> denied;
    private final Timer latency;
    private final KeySeries keys;
    /** Allowed requests not yet added to {@link #keys}: one entry per request, the key id and 1. */
    private final ThreadLogs allowedByKey = new ThreadLogs(LOG_CAPACITY);
    /** 429s per key, by limit: {@code keymeter_key_rate_limited_total{key_id, limit}}. */
    private final EnumMap<DenialReason, KeySeries> limited = new EnumMap<>(DenialReason.class);

    /** With at most {@link KeySeries#DEFAULT_MAX_KEYS} per-key series. */
    public CheckMetrics(MeterRegistry registry) {
        this(registry, KeySeries.DEFAULT_MAX_KEYS);
    }

    /**
     * @param maxKeySeries how many keys get a {@code keymeter_key_requests_total} series of their own;
     *     the rest share {@code key_id="_other"}
     */
    public CheckMetrics(MeterRegistry registry, int maxKeySeries) {
        Objects.requireNonNull(registry, "registry");
        allowed = checks(registry, "allowed", NONE);
        notReady = checks(registry, "not_ready", NONE);
        error = checks(registry, "error", NONE);
        denied = new EnumMap<>(DenialReason.class);
        for (DenialReason reason : DenialReason.values()) {
            denied.put(reason, checks(registry, "denied", reason.label()));
        }
        latency = latencyTimer(registry);
        keys = new KeySeries(registry, maxKeySeries);
        limited.put(DenialReason.REQUESTS_PER_MINUTE, limitedSeries(registry, maxKeySeries, "requests_per_minute"));
        limited.put(DenialReason.TOKEN_LIMIT, limitedSeries(registry, maxKeySeries, "tokens"));
        limited.put(DenialReason.COST_LIMIT, limitedSeries(registry, maxKeySeries, "cost"));
    }

    private static KeySeries limitedSeries(MeterRegistry registry, int max, String limit) {
        return new KeySeries(registry, max, LIMITED, "429 answers per key, by the limit reached", "limit", limit);
    }

    @Override
    public void allowed(String keyId, ResourceAccess route) {
        allowed.increment();
        if (!allowedByKey.offer(keyId, 1)) {
            keys.increment(keyId);
        }
    }

    /**
     * Adds the allowed requests the Check threads logged to their keys' series; returns how many. Any
     * thread, one at a time; call it before reading {@code keymeter_key_requests_total}.
     */
    public int flush() {
        return allowedByKey.drainTo((keyId, requests) -> keys.increment(keyId, requests));
    }

    @Override
    public void denied(DenialReason reason, String keyId) {
        Counter counter = reason == null ? null : denied.get(reason);
        (counter == null ? error : counter).increment();
        KeySeries perKey = reason == null || keyId == null ? null : limited.get(reason);
        if (perKey != null) {
            perKey.increment(keyId);
        }
    }

    @Override
    public void notReady() {
        notReady.increment();
    }

    @Override
    public void failed(RuntimeException cause) {
        error.increment();
    }

    /** Records how long one Check took, in nanoseconds. */
    @Override
    public void decided(long elapsedNanos) {
        recordLatencyNanos(elapsedNanos);
    }

    public void recordLatencyNanos(long nanos) {
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The Check latency timer ({@code keymeter_check_duration_seconds}). */
    public Timer latency() {
        return latency;
    }

    /** How many keys have a per-key series of their own (at most the cap). */
    public int keySeries() {
        return keys.size();
    }

    /** The per-key series cap given at construction. */
    public int maxKeySeries() {
        return keys.max();
    }

    private static Counter checks(MeterRegistry registry, String decision, String reason) {
        return Counter.builder(CHECKS)
                .description("Check decisions, by outcome and denial reason")
                .tags("decision", decision, "reason", reason)
                .register(registry);
    }

    private static Timer latencyTimer(MeterRegistry registry) {
        return Timer.builder(DURATION)
                .description("Time to decide one Check, in the server")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofMillis(100))
                .serviceLevelObjectives(slos())
                .register(registry);
    }

    /** 50 µs … 100 ms: a cached allow takes ~1 µs, Envoy's default timeout is 200 ms. */
    private static Duration[] slos() {
        long[] micros = {50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000};
        Duration[] out = new Duration[micros.length];
        for (int i = 0; i < micros.length; i++) {
            out[i] = Duration.ofNanos(micros[i] * 1_000);
        }
        return out;
    }
}
