package dev.keymeter.check;

import dev.keymeter.threadlog.ThreadLogs;
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
 * <p><b>Two steps.</b> {@link #record} appends the use to the calling thread's log ({@link ThreadLogs}):
 * no lookup, no shared write. {@link #mergeLogs} (the sidecar runs it every 50 ms on its background
 * thread) and {@link #drain} move the logged uses into the shared table below. With a million keys,
 * most uses are of a key not used within the last resolution, and noting one in the table is a hash
 * lookup whose cache misses would otherwise be paid by the Check that made the use. A thread whose
 * log is full (no merge for a while) notes its use in the table itself, as below: slower, never lost.
 *
 * <p><b>The table.</b> One {@link Cell} per key used since the previous drain (or the one before): a
 * volatile {@code lastUsed} (epoch millis, or {@link #RETIRED}) and {@code reported}, the value the
 * last drain handed out. Memory is bounded by the keys used within two drain periods, not by the key
 * count: a drain retires the cells of idle keys.
 *
 * <p><b>Writing a cell</b> (the merge, or a thread whose log is full; lock-free): a volatile read, and
 * a CAS only when the stored time is older than the new one by at least a step (1 ms for a merge,
 * {@code resolutionMillis} for a thread writing itself, so a busy key costs it one read, not a
 * contended write). The CAS raises {@code lastUsed} from the value read; when it fails another
 * thread changed the cell, and re-reading is safe: the loop stops as soon as the stored time is recent
 * enough, so {@code lastUsed} only ever grows (an older time never lowers it).
 *
 * <p><b>drain</b> (one thread at a time; {@code synchronized}, never taken by {@code record}): merges
 * the logs, then for each cell, a volatile read of {@code lastUsed}; a value newer than
 * {@code reported} is handed out. A cell with nothing new is retired by CASing {@code lastUsed} from
 * the value just read to {@link #RETIRED} and then removed with {@code remove(key, cell)}. The CAS
 * makes retirement and a writer's CAS mutually exclusive: either the write lands first (the retire
 * CAS fails, the cell stays, the next drain reports it) or the retirement does (the writer's CAS
 * fails, it re-reads {@link #RETIRED}, helps remove the cell, and retries on a fresh one). So no
 * recorded time is lost, and the conditional remove never removes a successor cell.
 *
 * <p>A caller may skip {@code record} for a key while {@code now} is less than one resolution past the
 * time the key's last {@code record} returned (Check does, for hot keys: see {@code HotKey}). That
 * time is stored, or logged and stored at the next merge, and will be reported (if a drain retired
 * the cell since, it had been reported before), so the reported time stays less than one resolution
 * older than the true last use.
 *
 * <p>Times are reported at most {@code resolutionMillis} earlier than the true last use. Tested by
 * {@code LastUsedTrackerTest#recordAndDrain_manyThreads_reportEveryKeysLatestTime} (start gate, then
 * the exact invariant: the latest drained time of each key equals its latest recorded time), with
 * logs and with logs too small to hold anything.
 */
public final class LastUsedTracker {

    public static final long DEFAULT_RESOLUTION_MILLIS = 1_000;
    /**
     * Uses one Check thread can log between two merges: 4,096 entries (48 KB), enough for 80,000 uses a
     * second between merges 50 ms apart, more than one thread decides.
     */
    public static final int DEFAULT_LOG_CAPACITY = 4_096;
    private static final long RETIRED = Long.MIN_VALUE;

    private final ConcurrentHashMap<String, Cell> cells = new ConcurrentHashMap<>();
    /** The threads' logs of uses not merged yet; null when this tracker has none. */
    private final ThreadLogs logs;
    private final long resolutionMillis;

    public LastUsedTracker() {
        this(DEFAULT_RESOLUTION_MILLIS);
    }

    /** @param resolutionMillis how much older than now a stored time must be before it is rewritten, ≥ 1 */
    public LastUsedTracker(long resolutionMillis) {
        this(resolutionMillis, DEFAULT_LOG_CAPACITY);
    }

    /**
     * @param logCapacity uses each thread's log holds: a power of two, or 0 for no logs (every
     *     {@link #record} writes the table itself)
     */
    LastUsedTracker(long resolutionMillis, int logCapacity) {
        if (resolutionMillis < 1) {
            throw new IllegalArgumentException("resolutionMillis must be at least 1, was " + resolutionMillis);
        }
        if (logCapacity < 0) {
            throw new IllegalArgumentException("logCapacity must be 0 (no logs) or a power of two, was " + logCapacity);
        }
        this.resolutionMillis = resolutionMillis;
        this.logs = logCapacity == 0 ? null : new ThreadLogs(logCapacity);
    }

    /**
     * Notes that {@code keyId} was used at {@code nowMillis}. Lock-free; allocates only for a thread's
     * first use, or a key's first use when the thread's log is full. Returns the time the key will be
     * reported with at least: {@code nowMillis} when the use was logged (the merge stores it);
     * otherwise the time now stored in the table, {@code nowMillis} or a time less than one resolution
     * older that was already there.
     */
    public long record(String keyId, long nowMillis) {
        if (logs != null && logs.offer(keyId, nowMillis)) {
            return nowMillis;
        }
        return store(keyId, nowMillis, resolutionMillis);
    }

    /**
     * Moves every logged use into the table; returns how many. Cheap when nothing was logged. Logs of
     * threads that have ended are emptied and dropped. Not under this tracker's lock: the logs take
     * turns under their own (and a merge stores its uses before it lets go of it, so a drain's merge
     * still finds every use logged before it fully stored), and writing a cell is lock-free, so a merge
     * never waits for a drain's walk over the table.
     */
    public int mergeLogs() {
        return logs == null ? 0 : logs.drainTo((keyId, time) -> store(keyId, time, 1));
    }

    /**
     * Raises the stored time of {@code keyId} to {@code nowMillis} when that is at least {@code step}
     * newer (see the class comment); returns the time stored afterwards.
     */
    private long store(String keyId, long nowMillis, long step) {
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
            if (nowMillis - seen < step) {
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
        mergeLogs();
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

    /** Threads with a log (tests). */
    int threadLogs() {
        return logs == null ? 0 : logs.threads();
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
