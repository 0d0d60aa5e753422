package dev.keymeter.lifecycle;

import dev.keymeter.audit.AuditAction;
import dev.keymeter.audit.AuditEntry;
import dev.keymeter.store.DiskReserve;
import dev.keymeter.store.KeyStore;
import dev.keymeter.store.StoreFullException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Runs a mutation and its audit record in one transaction; writes a refused mutation's audit record
 * in a transaction of its own (the refused one rolled back). One log line per mutation, with key ids
 * and never a secret. A {@linkplain #onCommit commit listener} hears the last revision of each
 * committed mutation: replication wakes its Watch streams with it instead of polling the store.
 */
public final class AuditedStore {

    private static final Logger LOG = System.getLogger("keymeter.audit");

    private final KeyStore store;
    private final Clock clock;
    private volatile LongConsumer commitListener = revision -> { };
    private final DiskFullGuard disk;
    /** The outcome of a mutation refused because the disk is full: the gRPC code it answers with. */
    public static final String FULL_DISK = "RESOURCE_EXHAUSTED";

    public AuditedStore(KeyStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.disk = new DiskFullGuard(clock);
    }

    public KeyStore store() {
        return store;
    }

    /**
     * Calls {@code listener} with the last revision of every mutation that commits one, on the
     * committing thread, after the commit and before {@link #mutate} returns. Replaces any earlier
     * listener. It must be quick and must not write to the store; what it throws is logged, never
     * passed to the caller (whose mutation has committed).
     */
    public void onCommit(LongConsumer listener) {
        this.commitListener = Objects.requireNonNull(listener, "listener");
    }

    /** Now, to the millisecond: the precision the store keeps. */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Runs {@code work} as {@code action} by {@code actorKeyId}. On success the audit record says OK
     * and carries the changes and the last revision; on an {@link AdminFailure} it says the refusal's
     * code, and the failure propagates.
     */
    public <T> T mutate(String actorKeyId, AuditAction auditAction, String target, Function<Mutation, T> work) {
        String action = auditAction.recordedName();
        Map<String, Long> refusedWhileFull = disk.admit(action);
        if (!refusedWhileFull.isEmpty()) {
            recordFullDiskRefusals(refusedWhileFull);
        }
        Mutation[] last = new Mutation[1];
        try {
            T result;
            try {
                result = write(actorKeyId, action, target, work, last);
            } catch (StoreFullException full) {
                if (!disk.retryAfter(action, full)) {
                    throw full;
                }
                result = write(actorKeyId, action, target, work, last);
            }
            disk.committed();
            notifyCommit(last[0].lastRevision()); // before the log line: replication latency counts
            log(actorKeyId, action, last[0].target(), AuditEntry.OK, last[0].lastRevision());
            return result;
        } catch (AdminFailure refused) {
            String refusedTarget = last[0] == null ? target : last[0].target();
            recordRefusal(actorKeyId, action, refusedTarget, refused.reason().name());
            throw refused;
        } catch (StoreFullException full) {
            auditFullDisk(actorKeyId, action, target);
            throw full;
        }
    }

    private <T> T write(String actorKeyId, String action, String target, Function<Mutation, T> work,
            Mutation[] last) {
        return store.write(tx -> {
            Mutation m = new Mutation(tx, target);
            last[0] = m;
            T value = work.apply(m);
            tx.appendAudit(entry(actorKeyId, action, m.target(), AuditEntry.OK, m.changes(), m.lastRevision()));
            return value;
        });
    }

    /** Spends the reserve for access taken away and refuses the rest while the disk is full; see {@link DiskFullGuard}. */
    public void useDiskReserve(DiskReserve reserve) {
        disk.use(Objects.requireNonNull(reserve, "reserve"));
    }

    /** Whether writes fail (or are refused) for a full disk now. */
    public boolean diskFull() {
        return disk.full();
    }

    /** The audit record of a write the full disk refused, when the disk still takes one; else only the log has it. */
    private void auditFullDisk(String actorKeyId, String action, String target) {
        try {
            store.write(tx -> tx.appendAudit(entry(actorKeyId, action, target, FULL_DISK, Map.of(), 0)));
        } catch (StoreFullException stillFull) {
            LOG.log(Level.DEBUG, "the audit record of {0} refused for a full disk was not written either", action);
        }
    }

    /** One audit record of the mutations refused while the reserve was given away, written when space returned. */
    private void recordFullDiskRefusals(Map<String, Long> counts) {
        Map<String, String> changes = new java.util.TreeMap<>();
        counts.forEach((action, n) -> changes.put(action, Long.toString(n)));
        String action = AuditAction.REFUSED_WHILE_DISK_FULL.recordedName();
        store.write(tx -> tx.appendAudit(entry("", action, "", FULL_DISK, changes, 0)));
        log("", action, "", FULL_DISK + " " + changes, 0);
    }

    /** Audits a mutation a rule refused, in a transaction of its own (the refused one rolled back). */
    private void recordRefusal(String actorKeyId, String action, String target, String outcome) {
        store.write(tx -> tx.appendAudit(entry(actorKeyId, action, target, outcome, Map.of(), 0)));
        log(actorKeyId, action, target, outcome, 0);
    }

    /**
     * Audits a summary that is no single call's (e.g. the refused calls of a minute): no actor, no
     * target. Skipped (false) while the disk is full, so that the room stays for revocations.
     */
    public boolean recordSummary(AuditAction auditAction, String outcome, Map<String, String> changes) {
        if (disk.full()) {
            return false;
        }
        String action = auditAction.recordedName();
        store.write(tx -> tx.appendAudit(entry("", action, "", outcome, changes, 0)));
        log("", action, "", outcome + " " + changes, 0);
        return true;
    }

    private void notifyCommit(long revision) {
        if (revision == 0) {
            return; // the mutation changed nothing (e.g. disabling a disabled key)
        }
        try {
            commitListener.accept(revision);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "commit listener failed at revision {0}: {1}", Long.toString(revision), e.toString());
        }
    }

    private AuditEntry entry(String actor, String action, String target, String outcome,
            Map<String, String> changes, long revision) {
        return new AuditEntry(0, now(), actor, action, target, outcome, changes, revision);
    }

    private static void log(String actor, String action, String target, String outcome, long revision) {
        LOG.log(Level.INFO, "admin action={0} target={1} actor={2} outcome={3} revision={4}",
                action, target, actor.isEmpty() ? "-" : actor, outcome, Long.toString(revision));
    }
}
