package dev.keymeter.lifecycle;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.store.KeyStore;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Runs a mutation and its audit record in one transaction; writes a refused mutation's audit record
 * in a transaction of its own (the refused one rolled back). One log line per mutation, with key ids
 * and never a secret.
 */
public final class AuditedStore {

    private static final Logger LOG = System.getLogger("keymeter.audit");

    private final KeyStore store;
    private final Clock clock;

    public AuditedStore(KeyStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public KeyStore store() {
        return store;
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
    public <T> T mutate(String actorKeyId, String action, String target, Function<Mutation, T> work) {
        Mutation[] last = new Mutation[1];
        try {
            T result = store.write(tx -> {
                Mutation m = new Mutation(tx, target);
                last[0] = m;
                T value = work.apply(m);
                tx.appendAudit(entry(actorKeyId, action, m.target(), AuditEntry.OK, m.changes(), m.lastRevision()));
                return value;
            });
            log(actorKeyId, action, last[0].target(), AuditEntry.OK, last[0].lastRevision());
            return result;
        } catch (AdminFailure refused) {
            String refusedTarget = last[0] == null ? target : last[0].target();
            recordRefusal(actorKeyId, action, refusedTarget, refused.reason().name());
            throw refused;
        }
    }

    /** Audits a call refused before it reached a rule (e.g. the caller did not authenticate). */
    public void recordRefusal(String actorKeyId, String action, String target, String outcome) {
        store.write(tx -> tx.appendAudit(entry(actorKeyId, action, target, outcome, Map.of(), 0)));
        log(actorKeyId, action, target, outcome, 0);
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
