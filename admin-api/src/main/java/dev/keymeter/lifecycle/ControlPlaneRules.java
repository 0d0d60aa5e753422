package dev.keymeter.lifecycle;

import dev.keymeter.store.KeyStore;
import java.time.Clock;
import java.util.Objects;

/** Every rule of the control plane, over one store and one clock. */
public final class ControlPlaneRules {

    private final AuditedStore audited;
    private final KeyCreation creation;
    private final KeyChanges changes;
    private final KeyQueries queries;
    private final Projects projects;
    private final Members members;
    private final Authenticator authenticator;
    private final UsageBoard usageBoard;
    private final SidecarRevisions sidecarRevisions;
    private final ReplicationQueries replication;

    public ControlPlaneRules(KeyStore store, Clock clock) {
        this(store, clock, UsageBoard.Bounds.DEFAULTS);
    }

    /** @param boardBounds how many sidecars and figures the usage board holds */
    public ControlPlaneRules(KeyStore store, Clock clock, UsageBoard.Bounds boardBounds) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(clock, "clock");
        this.audited = new AuditedStore(store, clock);
        this.usageBoard = new UsageBoard(clock, Objects.requireNonNull(boardBounds, "boardBounds"));
        this.sidecarRevisions = new SidecarRevisions(clock, boardBounds.maxSidecars());
        this.replication = new ReplicationQueries(audited, sidecarRevisions);
        this.creation = new KeyCreation(audited);
        this.changes = new KeyChanges(audited);
        this.queries = new KeyQueries(audited, usageBoard);
        this.projects = new Projects(audited, creation);
        this.members = new Members(audited);
        this.authenticator = new Authenticator(audited, clock);
    }

    public AuditedStore audited() {
        return audited;
    }

    public KeyCreation creation() {
        return creation;
    }

    public KeyChanges changes() {
        return changes;
    }

    public KeyQueries queries() {
        return queries;
    }

    /** The usage figures sidecars report, for the overview. */
    public UsageBoard usageBoard() {
        return usageBoard;
    }

    /** The replica revision each sidecar last reported (bounded like the usage board). */
    public SidecarRevisions sidecarRevisions() {
        return sidecarRevisions;
    }

    public ReplicationQueries replication() {
        return replication;
    }

    public Projects projects() {
        return projects;
    }

    public Members members() {
        return members;
    }

    public Authenticator authenticator() {
        return authenticator;
    }
}
