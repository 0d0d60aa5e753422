package dev.keymeter.lifecycle;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.ResetPeriod;
import dev.keymeter.store.AuditFilter;
import dev.keymeter.store.KeyFilter;
import dev.keymeter.store.Page;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Reads: one key, key listings, a key's usage overview, and the audit log. */
public final class KeyQueries {

    private final AuditedStore audited;
    private final UsageBoard usage;

    public KeyQueries(AuditedStore audited, UsageBoard usage) {
        this.audited = Objects.requireNonNull(audited, "audited");
        this.usage = Objects.requireNonNull(usage, "usage");
    }

    /** Every key reads itself; admin keys read others as their preset allows ({@link Caller}). */
    public ApiKey get(Caller caller, String keyId) {
        caller.requireCanRead(keyId);
        return audited.store().read(r -> KeyLookup.require(r, keyId));
    }

    public Page<ApiKey> list(Caller caller, KeyFilter filter, int pageSize, String pageToken) {
        caller.requireAdminRead(Caller.KEYS_AND_MEMBERS);
        return audited.store().read(r -> r.listKeys(filter, pageSize, pageToken));
    }

    public Page<AuditEntry> audit(Caller caller, AuditFilter filter, int pageSize, String pageToken) {
        caller.requireAdminRead(Caller.AUDIT);
        return audited.store().read(r -> r.listAudit(filter, pageSize, pageToken));
    }

    /**
     * What a key has used against its limits in its current period: the sum of what the sidecars
     * reported ({@link UsageBoard}); zero when none has reported since the control plane started.
     */
    public Usage usage(Caller caller, String keyId) {
        ApiKey key = get(caller, keyId);
        return usageOf(key);
    }

    /** The overview of {@code key}, already read (no permission check). */
    public Usage usageOf(ApiKey key) {
        Instant now = audited.now();
        Optional<ResetPeriod.Period> period = key.limits().resetPeriod().periodAt(now);
        UsageBoard.Total total = usage.total(key.id(), key.usageResetAt(),
                period.map(ResetPeriod.Period::start).orElse(null), now);
        return new Usage(key, period, total, usage.history().samples(key.id(), now));
    }

    /** A usage overview of one key, with its last 24 hours ({@link UsageHistory}, oldest first). */
    public record Usage(ApiKey key, Optional<ResetPeriod.Period> period, UsageBoard.Total total,
            List<UsageHistory.Sample> history) {

        public Usage {
            history = List.copyOf(history);
        }
    }
}
