package dev.keymeter.store;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.Member;
import dev.keymeter.keys.Project;

/**
 * Reads and writes within one read-write transaction. Each key write records a {@link KeyChange} at
 * the key's {@link ApiKey#revision()}, which the caller takes from {@link #nextRevision()}.
 */
public interface StoreWriter extends StoreReader {

    /** Allocates a new revision, greater than every revision before it. */
    long nextRevision();

    /**
     * Takes, now, the lock that orders key writes: the one {@link #nextRevision()} takes (the revision
     * row, held until the transaction ends), without allocating a revision. A rule that reads other
     * keys and then writes (e.g. "is this the last admin key?") reads after this call, so that no
     * concurrent writer, in this process or another on the same database, changes what it read before
     * it commits. On SQLite the transaction holds the database's write lock already.
     */
    void lockKeyWrites();

    /** Inserts a key and its secrets. The name must be free in its project and each digest unused. */
    void insertKey(ApiKey key);

    /** Replaces a key's row and its secrets. */
    void updateKey(ApiKey key);

    /** Deletes a key and its secrets, recording a deletion change at {@code revision}. */
    void deleteKey(String keyId, long revision);

    void insertProject(Project project);

    void deleteProject(String projectId);

    /** Adds a membership; adding an existing one changes nothing. */
    void addMember(Member member);

    /** Removes a membership; true when there was one. */
    boolean removeMember(String user, String projectId);

    /** Appends an audit record; returns its id. */
    long appendAudit(AuditEntry entry);

    /**
     * Records last-used times reported by a sidecar: keeps the later of the stored and the reported
     * time, ignores unknown key ids, allocates no revision. Returns how many entries named a known key.
     */
    int recordLastUsed(java.util.Map<String, java.time.Instant> lastUsed);
}
