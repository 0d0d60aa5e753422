package dev.keymeter.store;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.Member;
import dev.keymeter.keys.Project;
import java.util.List;
import java.util.Optional;

/** Reads within one transaction. */
public interface StoreReader {

    Optional<ApiKey> findKey(String keyId);

    /** The key that has a secret with this SHA-256 digest (live or not), if any. */
    Optional<ApiKey> findKeyByDigest(byte[] sha256);

    /** The key with this name in this project ({@code null} project: among admin keys). */
    Optional<ApiKey> findKeyByName(String projectId, String name);

    /** Keys matching {@code filter}, newest first, one page. */
    Page<ApiKey> listKeys(KeyFilter filter, int pageSize, String pageToken);

    /** Every key owned by {@code user}; only those in {@code projectId} unless it is {@code null}. */
    List<ApiKey> keysOwnedBy(String user, String projectId);

    /** Every key of a project. */
    List<ApiKey> keysInProject(String projectId);

    /** True when at least one admin key exists, in any status (bootstrap happens once). */
    boolean anyAdminKey();

    /**
     * The admin keys with status Active and this preset, expired or not (few: the caller filters by
     * time). Inside a write, read it after {@link StoreWriter#lockKeyWrites()}.
     */
    List<ApiKey> activeAdminKeys(dev.keymeter.keys.PermissionPreset preset);

    Optional<Project> findProject(String projectId);

    /** Projects, oldest first, one page. */
    Page<Project> listProjects(int pageSize, String pageToken);

    /** True when {@code user} is a member of the organization ({@code projectId == null}) or the project. */
    boolean isMember(String user, String projectId);

    /** Members of the organization ({@code projectId == null}) or of one project, by user. */
    List<Member> listMembers(String projectId);

    /** Projects {@code user} is a member of. */
    List<String> projectsOf(String user);

    /**
     * Audit records {@code filter} matches, newest first. A page token is valid only with the filters
     * it was issued for ({@link InvalidPageException} otherwise).
     */
    Page<AuditEntry> listAudit(AuditFilter filter, int pageSize, String pageToken);

    /** Audit records, newest first, optionally ({@code target != null}) only those with this target. */
    default Page<AuditEntry> listAudit(String target, int pageSize, String pageToken) {
        return listAudit(AuditFilter.target(target), pageSize, pageToken);
    }

    /**
     * This store's identity: a random number in [1, 2^31 − 1] drawn when it was created. Revisions of
     * different stores are not comparable; replication checks a replica's cursor against it.
     */
    long storeId();

    /** The highest revision allocated so far (0 for an empty store). */
    long currentRevision();

    /** Key changes with a revision above {@code afterRevision}, in revision order, at most {@code max}. */
    List<KeyChange> changesAfter(long afterRevision, int max);

    /** The lowest revision the change log still holds changes after; older sidecars need a snapshot. */
    long oldestServableRevision();

    /** Every key, for a replication snapshot. */
    List<ApiKey> allKeys();

    /** The number of keys, in any status, but sidecar credentials (never replicated): the size of a replication snapshot. */
    long keyCount();

    /**
     * At most {@code limit} keys with an id above {@code afterId}, by id: one page of a replication
     * snapshot. Pass {@code ""} for the first page and the last id of a page for the next one; in one
     * transaction the pages together list every key exactly once.
     */
    List<ApiKey> keysAfter(String afterId, int limit);

    /** When sidecars last saw these keys authenticate; keys never seen are absent from the map. */
    java.util.Map<String, java.time.Instant> lastUsed(java.util.Collection<String> keyIds);

    /** Those of {@code keyIds} that are stored keys (in any status): what sidecar reports may name. */
    java.util.Set<String> existingKeyIds(java.util.Collection<String> keyIds);
}
