package dev.keymeter.admin;

import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.lifecycle.AuditedStore;
import dev.keymeter.store.StoreException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Calls refused before they reached a rule (no valid key, or the wrong kind of key), audited as a
 * summary: at most one audit row per interval, counting the refusals by reason and by peer address
 * (the host only; never a token). An audit row per call was an fsync per call that anyone could
 * trigger without a key. The first refusal after a quiet interval is written at once, so a lone
 * refusal is visible as soon as it happens; later ones wait for the interval to pass (checked on the
 * next refusal and by a timer), and {@link #close} writes what is left.
 *
 * <p>Memory is bounded: at most {@link #MAX_PEERS} peers are told apart per interval; the others
 * are counted together as {@code other}. Totals by reason never reset (the metric).
 */
final class RefusedCalls implements AutoCloseable {

    private static final Logger LOG = System.getLogger("keymeter.admin");
    static final dev.keymeter.audit.AuditAction ACTION = dev.keymeter.audit.AuditAction.REFUSED_CALLS;
    static final int MAX_PEERS = 1_000;
    private static final String OTHER = "other";
    /** Peers named in one audit row; the rest are summed. */
    private static final int PEERS_SHOWN = 20;

    private final AuditedStore audited;
    private final Clock clock;
    private final Duration interval;
    private final Map<AdminFailure.Reason, LongAdder> totals = new EnumMap<>(AdminFailure.Reason.class);
    private final Map<String, LongAdder> byPeer = new ConcurrentHashMap<>();
    private final Map<AdminFailure.Reason, LongAdder> byReason = new ConcurrentHashMap<>();
    private final LongAdder pending = new LongAdder();
    private final ReentrantLock writing = new ReentrantLock();
    private final ScheduledExecutorService timer;
    private Instant lastWritten;
    private Instant windowStart;

    RefusedCalls(AuditedStore audited, Clock clock, Duration interval) {
        this.audited = audited;
        this.clock = clock;
        this.interval = interval;
        for (AdminFailure.Reason reason : AdminFailure.Reason.values()) {
            totals.put(reason, new LongAdder());
        }
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "keymeter-refused-calls");
            thread.setDaemon(true);
            return thread;
        });
        long tick = Math.min(interval.toMillis(), 10_000);
        timer.scheduleWithFixedDelay(() -> writeIfDue(false), tick, tick, TimeUnit.MILLISECONDS);
    }

    /** Counts one refused call from {@code peer} (null when unknown); writes the summary when it is due. */
    void record(AdminFailure.Reason reason, SocketAddress peer) {
        totals.get(reason).increment();
        byReason.computeIfAbsent(reason, r -> new LongAdder()).increment();
        String host = host(peer);
        LongAdder count = byPeer.get(host);
        if (count == null) {
            count = byPeer.size() < MAX_PEERS ? byPeer.computeIfAbsent(host, h -> new LongAdder())
                    : byPeer.computeIfAbsent(OTHER, h -> new LongAdder());
        }
        count.increment();
        pending.increment();
        writeIfDue(false);
    }

    /** Refused calls since start, by reason (what {@code keymeter_admin_calls_refused_total} reports). */
    long total(AdminFailure.Reason reason) {
        return totals.get(reason).sum();
    }

    private void writeIfDue(boolean force) {
        if (pending.sum() == 0 || !writing.tryLock()) {
            return; // another thread is writing the summary: this refusal goes in the next one
        }
        try {
            Instant now = clock.instant();
            if (windowStart == null) {
                windowStart = now;
            }
            if (!force && lastWritten != null && now.isBefore(lastWritten.plus(interval))) {
                return;
            }
            if (audited.diskFull()) {
                return; // the counts wait for space: the room left is for revocations
            }
            Map<String, String> summary = drain(now);
            if (summary.isEmpty()) {
                return;
            }
            if (audited.recordSummary(ACTION, summary.get("outcome"), summary)) {
                lastWritten = now;
                windowStart = null;
            }
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "the summary of refused calls was not audited: {0}", e.getMessage());
            lastWritten = clock.instant(); // tried: the next try waits an interval, so a failing store is not hammered
        } finally {
            writing.unlock();
        }
    }

    /** The counts of the window as audit fields, and resets them. */
    private Map<String, String> drain(Instant now) {
        Map<String, Long> reasons = new TreeMap<>();
        byReason.forEach((r, n) -> {
            long taken = n.sumThenReset();
            if (taken > 0) {
                reasons.put(r.name(), taken);
            }
        });
        Map<String, Long> peers = new TreeMap<>();
        byPeer.forEach((p, n) -> peers.put(p, n.sumThenReset()));
        byPeer.clear();
        long calls = reasons.values().stream().mapToLong(Long::longValue).sum();
        pending.add(-calls);
        if (calls == 0) {
            return Map.of();
        }
        Map<String, String> fields = new TreeMap<>();
        fields.put("calls", Long.toString(calls));
        fields.put("reasons", joined(reasons, reasons.size()));
        fields.put("peers", joined(peers, PEERS_SHOWN));
        fields.put("since", windowStart.toString());
        fields.put("until", now.toString());
        fields.put("outcome", reasons.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey());
        return fields;
    }

    /** "a=3, b=1": the biggest counts first, at most {@code shown} of them, then the rest summed. */
    private static String joined(Map<String, Long> counts, int shown) {
        StringBuilder text = new StringBuilder();
        long rest = 0;
        int i = 0;
        for (Map.Entry<String, Long> e : counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).toList()) {
            if (i++ < shown) {
                text.append(text.isEmpty() ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
            } else {
                rest += e.getValue();
            }
        }
        return rest == 0 ? text.toString() : text + ", (" + (counts.size() - shown) + " more)=" + rest;
    }

    /** The peer's host address: the port changes with every connection and would defeat the summary. */
    private static String host(SocketAddress peer) {
        if (peer instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return peer == null ? "unknown" : "in-process";
    }

    /** Writes what is left and stops the timer. */
    @Override
    public void close() {
        timer.shutdownNow();
        writeIfDue(true);
    }
}
