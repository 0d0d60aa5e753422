package dev.keymeter.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest usage figures each sidecar reported for each key, in memory, added up for the usage
 * overview. Budgets are counted by the sidecars (each on its own counters); the control plane only
 * shows them. Figures of an older usage reset or an earlier period than the key's current one count
 * as zero, so a reset or a period boundary shows at once, before the sidecars report again.
 *
 * <p>Lost when the control plane restarts: sidecars report every key they count again within
 * their full-report interval. Thread-safe (concurrent maps of immutable records).
 *
 * <p><b>Bounded.</b> At most {@code maxSidecars} sidecar ids and {@code maxEntries} (key, sidecar)
 * figures are held (defaults {@value #DEFAULT_MAX_SIDECARS} and {@value #DEFAULT_MAX_ENTRIES}, about
 * 200 MB at most): a sidecar credential that reports under ever-new sidecar ids or keys cannot exhaust
 * the control plane's memory. When full, figures not older than {@link #STALE} are kept (a sidecar
 * reports every key it counts at least once a minute, so older ones belong to sidecars that stopped),
 * stale ones are dropped at most every 10 s to make room, and what still does not fit is not
 * recorded ({@link #record} answers false; the usage overview then misses that sidecar's part until
 * room frees). Figures already held are always updated. The bounds hold to within the number of
 * reports recorded at the same moment (the counts are kept beside the maps, not under one lock).
 */
public final class UsageBoard {

    public static final int DEFAULT_MAX_SIDECARS = 1_000;
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;
    /** About 46 MB of history at most (2.3 KB a key): the keys in use on a large fleet's dashboard. */
    public static final int DEFAULT_MAX_HISTORY_KEYS = 20_000;
    /** Figures older than this are dropped when the board is full. */
    static final Duration STALE = Duration.ofMinutes(15);
    private static final long PRUNE_EVERY_MILLIS = 10_000;

    /**
     * The board's bounds ({@code --usage-board-max-sidecars}, {@code --usage-board-max-entries},
     * {@code --usage-history-max-keys}).
     *
     * @param maxSidecars sidecar ids held
     * @param maxEntries  (key, sidecar) figures held
     * @param maxHistoryKeys keys whose 24-hour history is held: its own, smaller bound, since a key's
     *     history (2.3 KB) weighs ten times one of its figures
     */
    public record Bounds(int maxSidecars, int maxEntries, int maxHistoryKeys) {

        public static final Bounds DEFAULTS = new Bounds(DEFAULT_MAX_SIDECARS, DEFAULT_MAX_ENTRIES,
                DEFAULT_MAX_HISTORY_KEYS);

        /** The default history bound. */
        public Bounds(int maxSidecars, int maxEntries) {
            this(maxSidecars, maxEntries, DEFAULT_MAX_HISTORY_KEYS);
        }

        public Bounds {
            if (maxSidecars < 1 || maxSidecars > 1_000_000) {
                throw new IllegalArgumentException("--usage-board-max-sidecars must be 1–1000000, was " + maxSidecars);
            }
            if (maxEntries < 1 || maxEntries > 100_000_000) {
                throw new IllegalArgumentException("--usage-board-max-entries must be 1–100000000, was " + maxEntries);
            }
            if (maxHistoryKeys < 1 || maxHistoryKeys > 10_000_000) {
                throw new IllegalArgumentException("--usage-history-max-keys must be 1–10000000, was " + maxHistoryKeys);
            }
        }
    }

    /**
     * One key's counters on one sidecar. Immutable.
     *
     * @param requestsTotal requests admitted since the sidecar process started (0 from sidecars
     *     that predate the figure)
     */
    public record Figures(Instant usageResetAt, Instant periodStart, long tokensUsed, long tokensReserved,
            long costUsedMicroUsd, long costReservedMicroUsd, long requestsLastMinute, long reservationsInFlight,
            long requestsTotal, Instant asOf) {

        public Figures {
            Objects.requireNonNull(asOf, "asOf");
        }

        /** Figures without a request total, as sidecars that predate it report them. */
        public Figures(Instant usageResetAt, Instant periodStart, long tokensUsed, long tokensReserved,
                long costUsedMicroUsd, long costReservedMicroUsd, long requestsLastMinute, long reservationsInFlight,
                Instant asOf) {
            this(usageResetAt, periodStart, tokensUsed, tokensReserved, costUsedMicroUsd, costReservedMicroUsd,
                    requestsLastMinute, reservationsInFlight, 0, asOf);
        }
    }

    /**
     * The sum over sidecars; {@code asOf} null when none reported. {@code bySidecar} holds what each
     * sidecar added, by sidecar id in order.
     */
    public record Total(long tokensUsed, long tokensReserved, long costUsedMicroUsd, long costReservedMicroUsd,
            long requestsLastMinute, long reservationsInFlight, Instant asOf, int sidecars,
            List<Part> bySidecar) {
    }

    /** One sidecar's part of a {@link Total}. */
    public record Part(String sidecarId, long requestsLastMinute, long tokensUsed, long costUsedMicroUsd,
            Instant asOf) {
    }

    /** Figures older than this are not added to requests per minute: that window has passed. */
    private static final long MINUTE_MILLIS = 60_000;

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Figures>> byKey = new ConcurrentHashMap<>();
    /** Entries held per sidecar id: its size is the number of sidecars on the board. */
    private final ConcurrentHashMap<String, AtomicInteger> entriesBySidecar = new ConcurrentHashMap<>();
    private final AtomicInteger entries = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final int maxSidecars;
    private final int maxEntries;
    private final Clock clock;
    private final UsageHistory history;
    private volatile long lastPruneMillis = Long.MIN_VALUE / 2;

    public UsageBoard(Clock clock) {
        this(clock, Bounds.DEFAULTS);
    }

    /** {@code bounds} are valid by construction ({@link Bounds} checks them). */
    public UsageBoard(Clock clock, Bounds bounds) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxSidecars = bounds.maxSidecars();
        this.maxEntries = bounds.maxEntries();
        this.history = new UsageHistory(clock, bounds.maxHistoryKeys());
    }

    /** The last 24 hours of each key's usage, built from the increases between the reports recorded here. */
    public UsageHistory history() {
        return history;
    }

    /**
     * Records {@code figures} of {@code keyId} from {@code sidecarId}, unless newer ones are already
     * held; false when the board is full and they were not recorded. Their increase over the figures
     * they replace goes to the {@link #history()}; the first figures of a (key, sidecar) pair are its
     * baseline (see {@link UsageHistory}).
     */
    public boolean record(String keyId, String sidecarId, Figures figures) {
        ConcurrentHashMap<String, Figures> perKey = byKey.get(keyId);
        if (perKey == null || !perKey.containsKey(sidecarId)) {
            if (!hasRoomFor(sidecarId)) {
                pruneStale();
                if (!hasRoomFor(sidecarId)) {
                    refused.incrementAndGet();
                    return false;
                }
            }
        }
        boolean[] added = {false};
        Figures[] replaced = {null};
        byKey.computeIfAbsent(keyId, k -> new ConcurrentHashMap<>()).compute(sidecarId, (s, old) -> {
            if (old == null) {
                added[0] = true;
                return figures;
            }
            if (figures.asOf().isBefore(old.asOf())) {
                return old;
            }
            replaced[0] = old;
            return figures;
        });
        if (added[0]) {
            entries.incrementAndGet();
            entriesBySidecar.computeIfAbsent(sidecarId, s -> new AtomicInteger()).incrementAndGet();
        }
        if (replaced[0] != null) {
            history.add(keyId, figures.asOf(), UsageIncrease.between(replaced[0], figures));
        }
        return true;
    }

    /** How many sidecars and (key, sidecar) figures the board holds. */
    public int sidecars() {
        return entriesBySidecar.size();
    }

    public int entries() {
        return entries.get();
    }

    public int maxSidecars() {
        return maxSidecars;
    }

    public int maxEntries() {
        return maxEntries;
    }

    /** Figures not recorded because the board was full, since start. */
    public long refused() {
        return refused.get();
    }

    private boolean hasRoomFor(String sidecarId) {
        return entries.get() < maxEntries
                && (entriesBySidecar.containsKey(sidecarId) || entriesBySidecar.size() < maxSidecars);
    }

    /** Drops figures older than {@link #STALE}; at most once per 10 s (it scans the whole board). */
    private void pruneStale() {
        long now = clock.millis();
        if (now - lastPruneMillis < PRUNE_EVERY_MILLIS) {
            return;
        }
        lastPruneMillis = now;
        Instant before = Instant.ofEpochMilli(now).minus(STALE);
        for (Map.Entry<String, ConcurrentHashMap<String, Figures>> key : byKey.entrySet()) {
            for (Map.Entry<String, Figures> f : key.getValue().entrySet()) {
                if (f.getValue().asOf().isBefore(before) && key.getValue().remove(f.getKey(), f.getValue())) {
                    entries.decrementAndGet();
                    AtomicInteger held = entriesBySidecar.get(f.getKey());
                    if (held != null && held.decrementAndGet() <= 0) {
                        entriesBySidecar.remove(f.getKey(), held);
                    }
                }
            }
            byKey.computeIfPresent(key.getKey(), (k, m) -> m.isEmpty() ? null : m);
        }
    }


    /**
     * The sum of the figures of {@code keyId} that belong to its current usage reset
     * ({@code usageResetAt}, null: never) and period ({@code periodStart}, null: NEVER) at {@code now}.
     */
    public Total total(String keyId, Instant usageResetAt, Instant periodStart, Instant now) {
        Map<String, Figures> reports = byKey.get(keyId);
        long tokens = 0;
        long tokensReserved = 0;
        long cost = 0;
        long costReserved = 0;
        long requests = 0;
        long inFlight = 0;
        Instant asOf = null;
        List<Part> parts = new ArrayList<>();
        if (reports != null) {
            for (Map.Entry<String, Figures> report : new TreeMap<>(reports).entrySet()) {
                Figures f = report.getValue();
                if (!Objects.equals(f.usageResetAt(), usageResetAt)) {
                    continue;
                }
                asOf = asOf == null || f.asOf().isAfter(asOf) ? f.asOf() : asOf;
                long recent = now.toEpochMilli() - f.asOf().toEpochMilli() < MINUTE_MILLIS ? f.requestsLastMinute() : 0;
                requests += recent;
                boolean thisPeriod = Objects.equals(f.periodStart(), periodStart); // else: reset since
                parts.add(new Part(report.getKey(), recent, thisPeriod ? f.tokensUsed() : 0,
                        thisPeriod ? f.costUsedMicroUsd() : 0, f.asOf()));
                if (!thisPeriod) {
                    continue;
                }
                tokens += f.tokensUsed();
                tokensReserved += f.tokensReserved();
                cost += f.costUsedMicroUsd();
                costReserved += f.costReservedMicroUsd();
                inFlight += f.reservationsInFlight();
            }
        }
        return new Total(tokens, tokensReserved, cost, costReserved, requests, inFlight, asOf, parts.size(),
                List.copyOf(parts));
    }
}
