package dev.keymeter.logging;

import dev.keymeter.check.DecisionListener;
import dev.keymeter.check.DenialReason;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One log line per Check denial, at most {@code perSecond} lines a second: a flood of bad tokens
 * must not turn into a flood of log I/O on the Check threads. Lines over the budget are counted, and
 * the next line written says how many were left out.
 *
 * <p>Fields: the reason (an enum) and the key id when the caller authenticated as a key; never the
 * token, never a header value.
 *
 * <p><b>Memory ordering.</b> {@code window} packs (second, lines written in that second) into one
 * long: the second in the high 40 bits, the count in the low 24. A thread reserves a line with a CAS
 * from the value it read; a failed CAS means another thread wrote or the second changed, so it
 * re-reads and decides again (nothing was logged yet). {@code suppressed} is a plain atomic counter
 * drained with getAndSet by the thread that wins a line. Tested by {@code DenialLogTest}.
 */
public final class DenialLog implements DecisionListener {

    private static final Logger LOG = System.getLogger("keymeter.check");
    private static final int COUNT_BITS = 24;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

    private final int perSecond;
    private final LongSupplier nowMillis;
    private final AtomicLong window = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    public DenialLog(int perSecond, LongSupplier nowMillis) {
        if (perSecond < 1 || perSecond > COUNT_MASK) {
            throw new IllegalArgumentException("perSecond must be 1–" + COUNT_MASK + ", was " + perSecond);
        }
        this.perSecond = perSecond;
        this.nowMillis = nowMillis;
    }

    @Override
    public void denied(DenialReason reason, String keyId) {
        if (!reserveLine()) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        LOG.log(Level.INFO, "check denied reason=" + reason.label() + " key_id=" + (keyId == null ? "-" : keyId)
                + (skipped > 0 ? " suppressed_since_last=" + skipped : ""));
    }

    /** Lines left out since the last line written (for tests and metrics). */
    public long suppressed() {
        return suppressed.get();
    }

    private boolean reserveLine() {
        long second = nowMillis.getAsLong() / 1000;
        while (true) {
            long current = window.get();
            long currentSecond = current >>> COUNT_BITS;
            long count = current & COUNT_MASK;
            long next;
            if (currentSecond != second) {
                next = (second << COUNT_BITS) | 1;
            } else if (count < perSecond) {
                next = current + 1;
            } else {
                return false;
            }
            if (window.compareAndSet(current, next)) {
                return true;
            }
        }
    }
}
