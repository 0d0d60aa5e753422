package dev.keymeter.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One audited mutation.
 *
 * @param id assigned by the store; 0 before it is written
 * @param actorKeyId the caller's key id; empty when the caller could not be authenticated
 * @param action the RPC name, e.g. {@code CreateKey}
 * @param target what it acted on, e.g. {@code key/key_…} or {@code project/payments}
 * @param outcome {@code OK} or the gRPC status code name of the refusal
 * @param changes changed field → new value; never a secret
 * @param revision the last store revision the mutation produced; 0 when it was refused
 */
public record AuditEntry(long id, Instant time, String actorKeyId, String action, String target,
        String outcome, Map<String, String> changes, long revision) {

    public static final String OK = "OK";

    public AuditEntry {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(actorKeyId, "actorKeyId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(outcome, "outcome");
        changes = Map.copyOf(changes);
    }
}
