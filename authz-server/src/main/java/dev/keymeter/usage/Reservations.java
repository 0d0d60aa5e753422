package dev.keymeter.usage;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reservations in flight: made by Check, taken by the settlement of their request, or — when no
 * usage arrives within the TTL — expired by {@link #expire}, which hands them to the ledger to charge in
 * full: a lost report never under-counts.
 *
 * <p>Expired reservations stay a while longer as tombstones ({@link #takeExpired}), so that a report
 * that arrives late is charged only what it adds beyond the estimate, not twice.
 *
 * <p>Ids are {@code <process prefix>.<counter>}: the prefix is random per process, so an id from
 * before a restart (in an access log flushed late) never matches a new reservation. The table lives
 * on the heap and is lost with the process; the amounts it held stay committed in the persisted
 * counters, i.e. they are charged in full.
 *
 * <p>Thread-safe: concurrent maps and atomics; a reservation is removed by exactly one of
 * {@link #take} and {@link #expire} ({@link ConcurrentHashMap#remove} decides).
 */
public final class Reservations {

    /** Default time a reservation waits for its usage. */
    public static final long DEFAULT_TTL_MILLIS = 10 * 60_000;
    /** How long an expired reservation is remembered for a late report, in TTLs. */
    private static final int TOMBSTONE_TTLS = 6;

    private final String prefix;
    private final AtomicLong next = new AtomicLong();
    private final long ttlMillis;
    private final int capacity;
    private final ConcurrentHashMap<String, Reservation> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Reservation> expired = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> perKey = new ConcurrentHashMap<>();

    /**
     * @param ttlMillis how long a reservation waits for its usage before it is charged in full
     * @param capacity  the most reservations held; beyond it Check admits without reserving
     */
    public Reservations(long ttlMillis, int capacity) {
        if (ttlMillis < 1000) {
            throw new IllegalArgumentException("reservation TTL must be at least 1s, was " + ttlMillis + " ms");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.ttlMillis = ttlMillis;
        this.capacity = capacity;
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        this.prefix = String.format("%02x%02x%02x%02x", random[0], random[1], random[2], random[3]);
    }

    public long ttlMillis() {
        return ttlMillis;
    }

    /** Holds {@code r} and returns its id, or {@code null} when the table is full (nothing held then). */
    public String open(Reservation r) {
        if (open.size() >= capacity) {
            return null;
        }
        String id = prefix + "." + Long.toString(next.incrementAndGet(), 36);
        open.put(id, r);
        perKey.computeIfAbsent(r.keyId(), k -> new AtomicInteger()).incrementAndGet();
        return id;
    }

    /**
     * Removes and returns the open reservation {@code id} of {@code keyId}, or {@code null} (unknown,
     * settled, expired, or another key's: that one stays where it is, for its own key's report).
     */
    public Reservation take(String id, String keyId) {
        Reservation r = id == null ? null : open.get(id);
        if (r == null || !r.keyId().equals(keyId) || !open.remove(id, r)) {
            return null;
        }
        decrement(r.keyId());
        return r;
    }

    /** Removes and returns the tombstone of an expired reservation {@code id} of {@code keyId}, or {@code null}. */
    public Reservation takeExpired(String id, String keyId) {
        Reservation r = id == null ? null : expired.get(id);
        return r != null && r.keyId().equals(keyId) && expired.remove(id, r) ? r : null;
    }

    /**
     * True when {@code id} is a reservation (open or expired) of a key other than {@code keyId}: a
     * report naming it is refused, never allowed to settle it. A reservation's key never changes, so
     * this answer cannot be invalidated by a concurrent take.
     */
    public boolean belongsToAnotherKey(String id, String keyId) {
        if (id == null) {
            return false;
        }
        Reservation r = open.get(id);
        if (r == null) {
            r = expired.get(id);
        }
        return r != null && !r.keyId().equals(keyId);
    }

    /** Reservations of {@code keyId} waiting for their usage. */
    public int inFlight(String keyId) {
        AtomicInteger n = perKey.get(keyId);
        return n == null ? 0 : Math.max(0, n.get());
    }

    public int size() {
        return open.size();
    }

    /**
     * Removes the reservations whose TTL has passed at {@code nowMillis} (keeping tombstones) and
     * returns them, for the ledger to charge; forgets tombstones older than their own TTL.
     */
    public List<Reservation> expire(long nowMillis) {
        List<Reservation> due = new ArrayList<>();
        for (Map.Entry<String, Reservation> e : open.entrySet()) {
            Reservation r = e.getValue();
            if (r.expiresAtMillis() <= nowMillis && open.remove(e.getKey(), r)) {
                decrement(r.keyId());
                expired.put(e.getKey(), r);
                due.add(r);
            }
        }
        long forgetBefore = nowMillis - TOMBSTONE_TTLS * ttlMillis;
        expired.values().removeIf(r -> r.expiresAtMillis() <= forgetBefore);
        return due;
    }

    private void decrement(String keyId) {
        AtomicInteger n = perKey.get(keyId);
        if (n != null) {
            n.decrementAndGet();
        }
    }
}
