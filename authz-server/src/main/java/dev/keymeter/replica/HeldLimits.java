package dev.keymeter.replica;

import dev.keymeter.keys.LimitBound;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brings a key's limits into what the counters hold ({@link LimitBound}): a limit above its bound
 * counts as the bound, a negative one as 0. The admin API refuses such limits, but a record from a
 * control plane of an older version, or a store written by hand, may still carry one, and a limit the
 * counters cannot apply would otherwise fail every Check of that key (gRPC INTERNAL, Envoy 503). The
 * bound is far above any real budget (17.6 T tokens, 17.6 M USD, 4.29 G requests per minute), so
 * counting against it changes no real decision.
 *
 * <p>Applied twice: when a replication record is read ({@link KeyRecords}), which logs the key once,
 * and when an entry is decoded ({@link EntryLayout}), which covers replica files an older version
 * wrote. The log names the key id, the field, the stored value and the bound, never a token.
 *
 * <p>Thread-safe: the set of keys already logged is concurrent; it is cleared when it reaches
 * {@value #MAX_LOGGED} keys, so it stays bounded and a key is logged again at most once per clearing.
 */
final class HeldLimits {

    private static final Logger LOG = System.getLogger("keymeter.replication");
    static final int MAX_LOGGED = 10_000;
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private HeldLimits() {
    }

    /** {@code limit} as the counters hold it; {@link ReplicaEntry#NO_LIMIT} stays "no limit". */
    static long held(long limit, LimitBound bound) {
        return limit == ReplicaEntry.NO_LIMIT ? limit : bound.saturate(limit);
    }

    /** Like {@link #held(long, LimitBound)}, logging once per key when the limit had to be changed. */
    static long held(String keyId, String field, long limit, LimitBound bound) {
        long held = held(limit, bound);
        if (held != limit && (LOGGED.size() < MAX_LOGGED || clear()) && LOGGED.add(keyId + "/" + field)) {
            LOG.log(Level.WARNING, "key " + keyId + ": limits." + field + " " + limit + " is outside what the"
                    + " counters hold (0 to " + bound.max() + "); counted as " + held
                    + " — set a limit in range with keys update");
        }
        return held;
    }

    private static boolean clear() {
        LOGGED.clear();
        return true;
    }
}
