package dev.keymeter.usage;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * <p><b>Bounded.</b> At most {@code capacity} reservations are open: when full, {@link #open} evicts the
 * oldest one, which then goes the way of an expired one (a tombstone, and charged in full by the
 * next {@link #expire}), so a flood of requests whose usage never arrives costs memory up to the bound
 * and never under-counts. At most {@code tombstoneCapacity} tombstones are kept, the oldest dropped
 * first: a report that arrives after its tombstone is gone is charged in full on top of the estimate
 * (over-counted, never under-counted). Each {@link #open} returns with the open table at or under its
 * bound; the tombstones' bound holds to within the calls running at the same moment.
 *
 * <p>Ids are {@code <process prefix>.<counter in base 36>}: the prefix is random per process, so an id
 * from before a restart (in an access log flushed late) never matches a new reservation. The counter
 * orders the reservations by age, which is how the oldest is found without a queue. The table lives
 * on the heap and is lost with the process; the amounts it held stay committed in the persisted
 * counters, i.e. they are charged in full.
 *
 * <p>Thread-safe: concurrent maps and atomics; a reservation is removed from the open table by exactly
 * one of {@link #take}, {@link #expire} and the eviction ({@link ConcurrentHashMap#remove} decides).
 */
public final class Reservations {

    /** Default time a reservation waits for its usage. */
    public static final long DEFAULT_TTL_MILLIS = 10 * 60_000;
    /** Default most open reservations (about 200 bytes each on the heap). */
    public static final int DEFAULT_CAPACITY = 1_000_000;
    /** Default most tombstones of expired or evicted reservations. */
    public static final int DEFAULT_TOMBSTONE_CAPACITY = 1_000_000;
    /** How long an expired reservation is remembered for a late report, in TTLs. */
    private static final int TOMBSTONE_TTLS = 6;

    private final String prefix;
    private final AtomicLong next = new AtomicLong();
    private final long ttlMillis;
    private final int capacity;
    private final int tombstoneCapacity;
    private final ConcurrentHashMap<Long, Reservation> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Reservation> expired = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> perKey = new ConcurrentHashMap<>();
    /** Evicted reservations not yet handed to the ledger by {@link #expire}. */
    private final ConcurrentLinkedQueue<Reservation> evicted = new ConcurrentLinkedQueue<>();
    /** No open reservation has a counter below this (except one that escaped, see the class comment). */
    private final AtomicLong oldestOpen = new AtomicLong(1);
    /** Likewise for tombstones. */
    private final AtomicLong oldestTombstone = new AtomicLong(1);
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong tombstonesDropped = new AtomicLong();

    /** With room for as many tombstones as open reservations. */
    public Reservations(long ttlMillis, int capacity) {
        this(ttlMillis, capacity, capacity);
    }

    /**
     * @param ttlMillis         how long a reservation waits for its usage before it is charged in full
     * @param capacity          the most open reservations; beyond it the oldest is evicted (charged in full)
     * @param tombstoneCapacity the most tombstones; beyond it the oldest is forgotten
     */
    public Reservations(long ttlMillis, int capacity, int tombstoneCapacity) {
        if (ttlMillis < 1000) {
            throw new IllegalArgumentException("reservation TTL must be at least 1s, was " + ttlMillis + " ms");
        }
        if (capacity < 1 || tombstoneCapacity < 1) {
            throw new IllegalArgumentException("capacities must be positive: " + capacity + ", " + tombstoneCapacity);
        }
        this.ttlMillis = ttlMillis;
        this.capacity = capacity;
        this.tombstoneCapacity = tombstoneCapacity;
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        this.prefix = String.format("%02x%02x%02x%02x.", random[0], random[1], random[2], random[3]);
    }

    public long ttlMillis() {
        return ttlMillis;
    }

    /** Holds {@code r} and returns its id; when the table is full, the oldest reservation is evicted first. */
    public String open(Reservation r) {
        long counter = next.incrementAndGet();
        open.put(counter, r);
        // After the put, not before: two opens that both checked first could both skip the eviction,
        // and the excess would stay until the TTL. Checked after, each open leaves the table at or
        // under the bound (racing opens may evict one more than needed, never one less).
        while (open.size() > capacity && evictOldest()) {
            // one eviction per excess reservation
        }
        perKey.computeIfAbsent(r.keyId(), k -> new AtomicInteger()).incrementAndGet();
        return prefix + Long.toString(counter, 36);
    }

    /**
     * Removes and returns the open reservation {@code id} of {@code keyId}, or {@code null} (unknown,
     * settled, expired, or another key's: that one stays where it is, for its own key's report).
     */
    public Reservation take(String id, String keyId) {
        long counter = counterOf(id);
        Reservation r = counter == 0 ? null : open.get(counter);
        if (r == null || !r.keyId().equals(keyId) || !open.remove(counter, r)) {
            return null;
        }
        decrement(r.keyId());
        return r;
    }

    /** Removes and returns the tombstone of an expired reservation {@code id} of {@code keyId}, or {@code null}. */
    public Reservation takeExpired(String id, String keyId) {
        long counter = counterOf(id);
        Reservation r = counter == 0 ? null : expired.get(counter);
        return r != null && r.keyId().equals(keyId) && expired.remove(counter, r) ? r : null;
    }

    /**
     * True when {@code id} is a reservation (open or expired) of a key other than {@code keyId}: a
     * report naming it is refused, never allowed to settle it. A reservation's key never changes, so
     * this answer cannot be invalidated by a concurrent take.
     */
    public boolean belongsToAnotherKey(String id, String keyId) {
        long counter = counterOf(id);
        if (counter == 0) {
            return false;
        }
        Reservation r = open.get(counter);
        if (r == null) {
            r = expired.get(counter);
        }
        return r != null && !r.keyId().equals(keyId);
    }

    /** Reservations of {@code keyId} waiting for their usage. */
    public int inFlight(String keyId) {
        AtomicInteger n = perKey.get(keyId);
        return n == null ? 0 : Math.max(0, n.get());
    }

    /** Open reservations. */
    public int size() {
        return open.size();
    }

    /** Tombstones of expired or evicted reservations. */
    public int tombstones() {
        return expired.size();
    }

    public int capacity() {
        return capacity;
    }

    public int tombstoneCapacity() {
        return tombstoneCapacity;
    }

    /** Open reservations evicted (and charged in full) because the table was full, since start. */
    public long evictions() {
        return evictions.get();
    }

    /** Tombstones forgotten before their time because there were too many, since start. */
    public long tombstonesDropped() {
        return tombstonesDropped.get();
    }

    /**
     * Removes the reservations whose TTL has passed at {@code nowMillis} (keeping tombstones) and
     * returns them with those evicted since the last call, for the ledger to charge; forgets tombstones
     * older than their own TTL.
     */
    public synchronized List<Reservation> expire(long nowMillis) {
        List<Reservation> due = new ArrayList<>();
        for (Reservation r; (r = evicted.poll()) != null; ) {
            due.add(r);
        }
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<Long, Reservation> e : open.entrySet()) {
            Reservation r = e.getValue();
            if (r.expiresAtMillis() <= nowMillis && open.remove(e.getKey(), r)) {
                decrement(r.keyId());
                expired.put(e.getKey(), r);
                due.add(r);
            } else {
                oldest = Math.min(oldest, e.getKey());
            }
        }
        // Skips the ids settled since: the next eviction starts at a reservation that is still open.
        oldestOpen.accumulateAndGet(oldest == Long.MAX_VALUE ? 1 : oldest, Math::max);
        long forgetBefore = nowMillis - TOMBSTONE_TTLS * ttlMillis;
        expired.values().removeIf(r -> r.expiresAtMillis() <= forgetBefore);
        // Back to the oldest tombstone held: the cursor may have passed ids that were open then.
        expired.keySet().stream().mapToLong(Long::longValue).min().ifPresent(oldestTombstone::set);
        trimTombstones();
        return due;
    }

    /** Moves the oldest open reservation to the tombstones and the queue for {@link #expire}. */
    /** Evicts the oldest open reservation; false when there was none left to evict. */
    private boolean evictOldest() {
        long last = next.get();
        for (long c = oldestOpen.get(); c <= last; c = oldestOpen.get()) {
            if (!oldestOpen.compareAndSet(c, c + 1)) {
                continue;
            }
            Reservation r = open.remove(c);
            if (r != null) {
                decrement(r.keyId());
                expired.put(c, r);
                evicted.add(r);
                evictions.incrementAndGet();
                trimTombstones();
                return true;
            }
        }
        return false;
    }

    /** Forgets the oldest tombstones beyond the capacity. */
    private void trimTombstones() {
        long last = next.get();
        while (expired.size() > tombstoneCapacity) {
            long c = oldestTombstone.getAndIncrement();
            if (c > last) {
                oldestTombstone.decrementAndGet();
                return;
            }
            if (expired.remove(c) != null) {
                tombstonesDropped.incrementAndGet();
            }
        }
    }

    /** The counter in {@code id}, or 0 when it is not an id of this table. */
    private long counterOf(String id) {
        if (id == null || id.length() <= prefix.length() || id.length() > prefix.length() + 12
                || !id.startsWith(prefix)) {
            return 0;
        }
        long value = 0;
        for (int i = prefix.length(); i < id.length(); i++) {
            int digit = Character.digit(id.charAt(i), 36);
            if (digit < 0 || Character.isUpperCase(id.charAt(i))) {
                return 0;
            }
            value = value * 36 + digit;
        }
        return value > 0 && value <= next.get() ? value : 0;
    }

    private void decrement(String keyId) {
        AtomicInteger n = perKey.get(keyId);
        if (n != null) {
            n.decrementAndGet();
        }
    }
}
