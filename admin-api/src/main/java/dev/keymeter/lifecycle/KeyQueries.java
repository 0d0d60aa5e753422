package dev.keymeter.lifecycle;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.quota.ResetPeriod;
import dev.keymeter.store.KeyFilter;
import dev.keymeter.store.Page;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Reads: one key, key listings, a key's usage overview, and the audit log. */
public final class KeyQueries {

    private final AuditedStore audited;

    public KeyQueries(AuditedStore audited) {
        this.audited = Objects.requireNonNull(audited, "audited");
    }

    /** Admin keys read any key; a project key only itself. */
    public ApiKey get(Caller caller, String keyId) {
        caller.requireCanRead(keyId);
        return audited.store().read(r -> KeyLookup.require(r, keyId));
    }

    public Page<ApiKey> list(Caller caller, KeyFilter filter, int pageSize, String pageToken) {
        caller.requireAdminRead();
        return audited.store().read(r -> r.listKeys(filter, pageSize, pageToken));
    }

    public Page<AuditEntry> audit(Caller caller, String target, int pageSize, String pageToken) {
        caller.requireAdminRead();
        return audited.store().read(r -> r.listAudit(target, pageSize, pageToken));
    }

    /**
     * What a key has used against its limits. Until the sidecar's counters report usage this is
     * zero usage against the configured limits, with the current reset period.
     */
    public Usage usage(Caller caller, String keyId) {
        ApiKey key = get(caller, keyId);
        Instant now = audited.now();
        return new Usage(key, 0, 0, 0, key.limits().resetPeriod().periodAt(now), 0);
    }

    /** A usage overview of one key. */
    public record Usage(ApiKey key, long costMicroUsd, long tokens, long requestsLastMinute,
            Optional<ResetPeriod.Period> period, long reservationsInFlight) {
    }
}
