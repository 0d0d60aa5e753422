package dev.keymeter.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * {@code keymeter_key_requests_total{key_id}}: allowed requests per key, with a hard cap on the
 * number of series.
 *
 * <p><b>Every series starts at 0.</b> A per-key series is created at its key's first count, and
 * Prometheus' {@code rate()} and {@code increase()} only count what a series gained between two
 * samples: a series whose first sample already held that count would never show it (a key's first
 * 429s, its first $0.06). So each series reads 0 at its first scrape and its true total from the next
 * one on ({@link KeyCount}); nothing is lost, the first step is only shown one scrape later. This
 * holds per scraper only for the first one: a second Prometheus scraping the same sidecar sees a
 * new series start at its total, as it would without this.
 *
 * <p>Key ids must come from the replica (records the control plane wrote), never from the request:
 * {@link CheckMetrics#allowed} is only called with the id of a key that was found and authenticated.
 * Even so their number is bounded here: the first {@code max} distinct keys get a series of their
 * own, created lazily at their first allowed request; every later key is counted in one shared
 * series, {@code key_id="_other"} (registered at construction). Series are never removed, so a key
 * that got a slot keeps it for the life of the process. A real key whose id is literally
 * {@code _other} would share that series; control-plane ids match {@code key_[0-9A-Za-z]+}, so none does.
 *
 * <p>Concurrency. Two counters and a {@link ConcurrentHashMap}:
 * <ul>
 *   <li>{@code reserved}: slots taken. A key's counter is created inside {@code computeIfAbsent},
 *       which runs at most once per absent key, and only after a CAS took a slot; the CAS never takes
 *       {@code reserved} past {@code max}, so the cap is exact however many threads race on new keys.
 *       A failed CAS only means another key took a slot first: re-read and retry.
 *   <li>{@code settled}: slots whose counter is in the map and visible. The creating thread adds 1
 *       after {@code computeIfAbsent} returned, so {@code settled == max} means every per-key counter
 *       there will ever be is published. Only then does a missing key take the short cut to
 *       {@code _other} (after one more {@code get}: the key may have been published since the first).
 *       Before that, it goes through {@code computeIfAbsent}, which waits for a creation in progress
 *       of the same key. So a key that has a series never loses an increment to {@code _other}.
 * </ul>
 * Costs: a known key, one {@code get} and one increment; once the cap is reached and settled, an
 * unknown key, two {@code get}s and a volatile read, no allocation. Tested by {@code KeySeriesTest}.
 */
final class KeySeries {

    /** Default cap on per-key series. */
    static final int DEFAULT_MAX_KEYS = 10_000;
    static final String NAME = "keymeter.key.requests";
    static final String KEY_ID = "key_id";
    static final String OTHER = "_other";

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String[] tags;
    private final int max;
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicInteger settled = new AtomicInteger();
    private final ConcurrentHashMap<String, KeyCount> counters = new ConcurrentHashMap<>();
    private final KeyCount other;

    KeySeries(MeterRegistry registry, int max) {
        this(registry, max, NAME, "Allowed requests per key (keys past the series cap count under _other)");
    }

    /**
     * A per-key counter {@code name} with fixed extra {@code tags} (name, value pairs), under the same
     * cap rules; e.g. tokens per key with {@code type=input}.
     */
    KeySeries(MeterRegistry registry, int max, String name, String description, String... tags) {
        if (max < 0) {
            throw new IllegalArgumentException("maxKeySeries must be >= 0, was " + max);
        }
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.tags = tags.clone();
        this.max = max;
        this.other = counter(OTHER);
    }

    void increment(String keyId) {
        increment(keyId, 1);
    }

    void increment(String keyId, double amount) {
        KeyCount counter = keyId == null ? other : counters.get(keyId);
        if (counter == null) {
            counter = slow(keyId);
        }
        counter.add(amount);
    }

    /** The true total of {@code keyId}'s own series (or of {@code _other}), for tests; -1 without one. */
    double total(String keyId) {
        KeyCount c = OTHER.equals(keyId) ? other : counters.get(keyId);
        return c == null ? -1 : c.total();
    }

    /** True when {@code keyId} has a series of its own. */
    boolean has(String keyId) {
        return counters.containsKey(keyId);
    }

    int size() {
        return counters.size();
    }

    int max() {
        return max;
    }

    private KeyCount slow(String keyId) {
        if (settled.get() >= max) {
            KeyCount published = counters.get(keyId);
            return published == null ? other : published;
        }
        boolean[] created = new boolean[1];
        KeyCount counter = counters.computeIfAbsent(keyId, id -> {
            KeyCount made = counterIfRoom(id);
            created[0] = made != null;
            return made;
        });
        if (created[0]) {
            settled.incrementAndGet();
        }
        return counter == null ? other : counter;
    }

    /** Called at most once per absent key (inside computeIfAbsent); null when the cap is reached. */
    private KeyCount counterIfRoom(String keyId) {
        for (int taken = reserved.get(); taken < max; taken = reserved.get()) {
            if (reserved.compareAndSet(taken, taken + 1)) {
                return counter(keyId);
            }
        }
        return null;
    }

    private KeyCount counter(String keyId) {
        KeyCount count = new KeyCount();
        FunctionCounter.builder(name, count, KeyCount::scraped)
                .description(description)
                .tags(tags)
                .tag(KEY_ID, keyId)
                .register(registry);
        return count;
    }

    /**
     * One series' total, lock-free ({@link DoubleAdder}), read by the registry only at a scrape: 0 the
     * first time, so that the series' first sample is its start.
     */
    static final class KeyCount {
        private final DoubleAdder sum = new DoubleAdder();
        private volatile boolean scrapedOnce;

        void add(double amount) {
            sum.add(amount);
        }

        double total() {
            return sum.sum();
        }

        double scraped() {
            if (!scrapedOnce) {
                scrapedOnce = true;
                return 0;
            }
            return sum.sum();
        }
    }
}
