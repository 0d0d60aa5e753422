package dev.keymeter.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Where replication stands: the store's revision and what each live sidecar has applied. */
public final class ReplicationQueries {

    private final AuditedStore audited;
    private final SidecarRevisions sidecars;

    public ReplicationQueries(AuditedStore audited, SidecarRevisions sidecars) {
        this.audited = Objects.requireNonNull(audited, "audited");
        this.sidecars = Objects.requireNonNull(sidecars, "sidecars");
    }

    /**
     * Needs read on identities, as reading keys does: the answer says which revocations are in force
     * where, which is about keys. The revision is read before the sidecars, so a sidecar listed at or
     * past it has applied everything committed before the call.
     */
    public Status status(Caller caller) {
        caller.requireAdminRead(Caller.KEYS_AND_MEMBERS);
        long revision = audited.store().read(r -> r.currentRevision());
        return new Status(revision, sidecars.live(), audited.now());
    }

    /** The store's current revision, the sidecars heard from in the last minute, and when. */
    public record Status(long revision, List<SidecarRevisions.Applied> sidecars, Instant at) {
        public Status {
            sidecars = List.copyOf(sidecars);
        }
    }
}
