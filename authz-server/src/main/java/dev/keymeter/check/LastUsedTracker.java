package dev.keymeter.check;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each key was last used, gathered on the hot path without locks and handed in batches to a
 * background reporter through {@link #drain()}.
 *
 * <p><b>State.</b> One {@link Cell} per key used since the previous drain (or the one before): a
 * volatile {@code lastUsed} (epoch millis, or {@link #RETIRED}) and {@code reported}, the value the
 * last drain handed out. Memory is bounded by the keys used within two drain periods, not by the key
 * count: a drain retires the cells of idle keys.
 *
 * <p><b>record</b> (any thread, lock-free): a volatile read, and a CAS only when the stored time is at
 * least {@code resolutionMillis} older than {@code now}, so a busy key costs one read per request,
 * not a contended write. The CAS raises {@code lastUsed} from the value read; when it fails another
 * thread changed the cell, and re-reading is safe: the loop stops as soon as the stored time is recent
 * enough, so {@code lastUsed} only ever grows (a thread whose clock reading is older never lowers it).
 *
 * <p><b>drain</b> (one thread at a time; {@code synchronized}, never taken by {@code record}): for each
 * cell, a volatile read of {@code lastUsed}; a value newer than {@code reported} is handed out.
 * A cell with nothing new is retired by CASing {@code lastUsed} from the value just read to
 * {@link #RETIRED} and then removed with {@code remove(key, cell)}. The CAS makes retirement and
 * {@code record}'s CAS mutually exclusive: either the record lands first (the retire CAS fails, the
 * cell stays, the next drain reports it) or the retirement does (the record's CAS fails, it re-reads
 * {@link #RETIRED}, helps remove the cell, and retries on a fresh one). So no recorded time is lost,
 * and the conditional remove never removes a successor cell.
 *
 * <p>A caller may skip {@code record} for a key while {@code now} is less than one resolution past the
 * time the key's last {@code record} returned (Check does, for hot keys: see {@code HotKey}). That
 * time is stored and will be reported (if a drain retired the cell since, it had been reported
 * before), so the reported time stays less than one resolution older than the true last use.
 *
 * <p>Times are reported at most {@code resolutionMillis} earlier than the true last use. Tested by
 * {@code LastUsedTrackerTest#recordAndDrain_manyThreads_reportEveryKeysLatestTime} (start gate, then
 * the exact invariant: the latest drained time of each key equals its latest recorded time).
 */
public final class LastUsedTracker {

    public static final long DEFAULT_RESOLUTION_MILLIS = 1_000;
    private static final long RETIRED = Long.MIN_VALUE;

    private final ConcurrentHashMap<String, Cell> cells = new ConcurrentHashMap<>();
    private final long resolutionMillis;

    public LastUsedTracker() {
        this(DEFAULT_RESOLUTION_MILLIS);
    }

    /** @param resolutionMillis how much older than now a stored time must be before it is rewritten, ≥ 1 */
    public LastUsedTracker(long resolutionMillis) {
        if (resolutionMillis < 1) {
            throw new IllegalArgumentException("resolutionMillis must be at least 1, was " + resolutionMillis);
        }
        this.resolutionMillis = resolutionMillis;
    }

    /**
     * Notes that {@code keyId} was used at {@code nowMillis}. Lock-free; allocates only for a key's
     * first use. Returns the time now stored for the key: {@code nowMillis}, or a time less than one
     * resolution older that was already there (and so will be reported).
     */
    public long record(String keyId, long nowMillis) {
        for (;;) {
            Cell cell = cells.get(keyId);
            if (cell == null) {
                Cell fresh = new Cell(nowMillis);
                cell = cells.putIfAbsent(keyId, fresh);
                if (cell == null) {
                    return nowMillis;
                }
            }
            long seen = cell.lastUsed;
            if (seen == RETIRED) {
                cells.remove(keyId, cell);
                continue;
            }
            if (nowMillis - seen < resolutionMillis) {
                return seen;
            }
            if (cell.advance(seen, nowMillis)) {
                return nowMillis;
            }
        }
    }

    /** How much older than now a stored time may be before {@link #record} rewrites it. */
    public long resolutionMillis() {
        return resolutionMillis;
    }

    /** The keys used since the previous drain, each with its latest use. */
    public synchronized Map<String, Instant> drain() {
        Map<String, Instant> used = new HashMap<>();
        cells.forEach((keyId, cell) -> {
            long seen = cell.lastUsed;
            if (seen == RETIRED) {
                return;
            }
            if (seen != cell.reported) {
                used.put(keyId, Instant.ofEpochMilli(seen));
                cell.reported = seen;
            } else if (cell.advance(seen, RETIRED)) {
                cells.remove(keyId, cell);
            }
        });
        return used;
    }

    /** Cells held: keys used within the last two drain periods. */
    int trackedKeys() {
        return cells.size();
    }

    private static final class Cell {
        private static final VarHandle LAST_USED;

        static {
            try {
                LAST_USED = MethodHandles.lookup().findVarHandle(Cell.class, "lastUsed", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile long lastUsed;
        /** Written and read by the drain thread only (under the tracker's lock). */
        long reported = RETIRED;

        Cell(long lastUsed) {
            this.lastUsed = lastUsed;
        }

        boolean advance(long expected, long next) {
            return LAST_USED.compareAndSet(this, expected, next);
        }
    }
}
