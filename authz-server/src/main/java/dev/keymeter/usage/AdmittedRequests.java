package dev.keymeter.usage;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests admitted per key since this process started: the cumulative count the usage reports
 * carry ({@code requests_total}), from which the control plane draws the key's request history. The
 * rolling window's figure (requests in the last 60 s) cannot serve: its increases between reports
 * are not the requests made in between.
 *
 * <p>In memory, never reset (a period or a usage reset does not touch it); a restart starts it from
 * zero, which the control plane reads as a restart. On the Check path: one map read and an
 * uncontended {@link LongAdder} add per admitted request, an allocation only on a key's first
 * request. Holds one entry per key admitted since start, as many as the counter store holds keys.
 */
public final class AdmittedRequests {

    private final ConcurrentHashMap<String, LongAdder> byKey = new ConcurrentHashMap<>();

    /** Counts one admitted request of {@code keyId}. */
    public void admitted(String keyId) {
        LongAdder count = byKey.get(keyId);
        if (count == null) {
            count = byKey.computeIfAbsent(keyId, k -> new LongAdder());
        }
        count.increment();
    }

    /** Requests of {@code keyId} admitted since start; 0 for a key never admitted. */
    public long total(String keyId) {
        LongAdder count = byKey.get(keyId);
        return count == null ? 0 : count.sum();
    }
}
