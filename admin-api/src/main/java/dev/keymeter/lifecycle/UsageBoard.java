package dev.keymeter.lifecycle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest usage figures each sidecar reported for each key, in memory, added up for the usage
 * overview. Budgets are counted by the sidecars (each on its own counters); the control plane only
 * shows them. Figures of an older usage reset or an earlier period than the key's current one count
 * as zero, so a reset or a period boundary shows at once, before the sidecars report again.
 *
 * <p>Lost when the control plane restarts: sidecars report every key they count again within
 * their full-report interval. Thread-safe (concurrent maps of immutable records).
 */
public final class UsageBoard {

    /** One key's counters on one sidecar. Immutable. */
    public record Figures(Instant usageResetAt, Instant periodStart, long tokensUsed, long tokensReserved,
            long costUsedMicroUsd, long costReservedMicroUsd, long requestsLastMinute, long reservationsInFlight,
            Instant asOf) {

        public Figures {
            Objects.requireNonNull(asOf, "asOf");
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

    /** Records {@code figures} of {@code keyId} from {@code sidecarId}, unless newer ones are already held. */
    public void record(String keyId, String sidecarId, Figures figures) {
        byKey.computeIfAbsent(keyId, k -> new ConcurrentHashMap<>())
                .merge(sidecarId, figures, (old, next) -> next.asOf().isBefore(old.asOf()) ? old : next);
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
