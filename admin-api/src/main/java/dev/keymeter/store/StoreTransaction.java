package dev.keymeter.store;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.Member;
import dev.keymeter.keys.Project;
import dev.keymeter.store.KeyQuery.Order;
import dev.keymeter.store.PageToken.Cursor;
import dev.keymeter.store.PageToken.Listing;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The reader and writer a store ({@link SqliteKeyStore}, {@link PostgresKeyStore}) hands to a
 * callback: every call runs SQL on the connection whose transaction is open, and is valid only until
 * the callback returns. Confined to the thread running the callback. The SQL is the subset SQLite and
 * PostgreSQL share, so one class serves both.
 *
 * <p>Each key write must carry a revision allocated by {@link #nextRevision()} in this transaction:
 * replicas resume "after revision r", so a change recorded at an older revision would never reach
 * a replica that has passed it.
 */
final class StoreTransaction implements StoreWriter {

    /** A call that runs SQL. */
    @FunctionalInterface
    private interface Call<T> {
        T run() throws SQLException;
    }

    private final Connection connection;
    private final long revisionAtStart;
    private long lastAllocated;
    private boolean open = true;

    private StoreTransaction(Connection connection, long revisionAtStart) {
        this.connection = connection;
        this.revisionAtStart = revisionAtStart;
        this.lastAllocated = revisionAtStart;
    }

    /** A read-write transaction; the caller has begun it on {@code connection}. */
    static StoreTransaction forWrite(Connection connection) throws SQLException {
        return new StoreTransaction(connection, ChangeLog.currentRevision(connection));
    }

    /** A read transaction: no revision counts as allocated here, so no key write can pass. */
    static StoreTransaction forRead(Connection connection) {
        return new StoreTransaction(connection, Long.MAX_VALUE);
    }

    /** The last revision allocated in this transaction, or -1 when it allocated none. */
    long allocatedRevision() {
        return lastAllocated > revisionAtStart && revisionAtStart != Long.MAX_VALUE ? lastAllocated : -1;
    }

    /** Ends this object's validity; later calls fail instead of running outside any transaction. */
    void end() {
        open = false;
    }

    @Override
    public long nextRevision() {
        lastAllocated = run("allocate a revision", () -> ChangeLog.nextRevision(connection));
        return lastAllocated;
    }

    @Override
    public void lockKeyWrites() {
        run("lock key writes", () -> ChangeLog.lock(connection));
    }

    @Override
    public void insertKey(ApiKey key) {
        run("insert key", () -> {
            requireAllocatedHere(key.revision());
            KeyRows.insert(connection, key);
            ChangeLog.record(connection, key.revision(), key.id(), false);
            return null;
        });
    }

    @Override
    public void updateKey(ApiKey key) {
        run("update key", () -> {
            requireAllocatedHere(key.revision());
            KeyRows.update(connection, key);
            ChangeLog.record(connection, key.revision(), key.id(), false);
            return null;
        });
    }

    /** Deletes the key; records the deletion only when there was a key to delete. */
    @Override
    public void deleteKey(String keyId, long revision) {
        Objects.requireNonNull(keyId, "keyId");
        run("delete key", () -> {
            requireAllocatedHere(revision);
            if (KeyRows.delete(connection, keyId)) {
                ChangeLog.record(connection, revision, keyId, true);
            }
            return null;
        });
    }

    @Override
    public void insertProject(Project project) {
        run("insert project", () -> {
            ProjectRows.insert(connection, project);
            return null;
        });
    }

    /** Deletes the project and its memberships; its keys stay (the caller revokes them). */
    @Override
    public void deleteProject(String projectId) {
        run("delete project", () -> {
            ProjectRows.delete(connection, projectId);
            return null;
        });
    }

    @Override
    public void addMember(Member member) {
        run("add member", () -> {
            MemberRows.add(connection, member);
            return null;
        });
    }

    @Override
    public boolean removeMember(String user, String projectId) {
        return run("remove member", () -> MemberRows.remove(connection, user, projectId));
    }

    @Override
    public long appendAudit(AuditEntry entry) {
        return run("append audit entry", () -> AuditRows.append(connection, entry));
    }

    @Override
    public Optional<ApiKey> findKey(String keyId) {
        return run("find key", () -> new KeyQuery().where("id = ?", keyId).one(connection));
    }

    /**
     * An index lookup by digest. Its timing reveals nothing useful: the digest of a guessed token is
     * unpredictable, so a near miss in the index says nothing about any real token.
     */
    @Override
    public Optional<ApiKey> findKeyByDigest(byte[] sha256) {
        return run("find key by digest", () -> new KeyQuery()
                .where("id = (SELECT key_id FROM secrets WHERE sha256 = ?)", (Object) sha256).one(connection));
    }

    @Override
    public Optional<ApiKey> findKeyByName(String projectId, String name) {
        return run("find key by name", () -> new KeyQuery()
                .where("COALESCE(project_id, '') = ?", projectId == null ? "" : projectId)
                .where("name = ?", name).one(connection));
    }

    @Override
    public Page<ApiKey> listKeys(KeyFilter filter, int pageSize, String pageToken) {
        PageToken.requirePageSize(pageSize);
        Cursor after = PageToken.decode(Listing.KEYS, pageToken);
        KeyQuery query = new KeyQuery()
                .whereEquals("project_id", filter.projectId())
                .whereEquals("kind", filter.kind())
                .whereEquals("owner_type", filter.ownerType())
                .whereEquals("status", filter.status())
                .whereEquals("preset", filter.preset())
                .limit(pageSize + 1);
        if (after != null) {
            query.where("(created_at, id) < (?, ?)", after.position(), after.id());
        }
        List<ApiKey> rows = run("list keys", () -> query.list(connection));
        return PageToken.page(rows, pageSize, Listing.KEYS, k -> new Cursor(k.createdAt().toEpochMilli(), k.id()));
    }

    @Override
    public List<ApiKey> keysOwnedBy(String user, String projectId) {
        return run("list keys of a user", () -> new KeyQuery()
                .where("owner_user = ?", user).whereEquals("project_id", projectId).list(connection));
    }

    @Override
    public List<ApiKey> keysInProject(String projectId) {
        return run("list keys of a project", () -> new KeyQuery().where("project_id = ?", projectId).list(connection));
    }

    @Override
    public boolean anyAdminKey() {
        return run("look for an admin key", () -> Sql.queryLong(connection,
                "SELECT CASE WHEN EXISTS (SELECT 1 FROM keys WHERE kind = ?) THEN 1 ELSE 0 END", KeyKind.ADMIN) != 0);
    }

    @Override
    public List<ApiKey> activeAdminKeys(dev.keymeter.keys.PermissionPreset preset) {
        Objects.requireNonNull(preset, "preset");
        return run("list active admin keys", () -> new KeyQuery().where("kind = ?", KeyKind.ADMIN)
                .where("status = ?", dev.keymeter.keys.KeyStatus.ACTIVE).where("preset = ?", preset)
                .orderBy(Order.BY_ID).list(connection));
    }

    @Override
    public Optional<Project> findProject(String projectId) {
        return run("find project", () -> ProjectRows.find(connection, projectId));
    }

    @Override
    public Page<Project> listProjects(int pageSize, String pageToken) {
        return run("list projects", () -> ProjectRows.page(connection, pageSize, pageToken));
    }

    @Override
    public boolean isMember(String user, String projectId) {
        return run("check membership", () -> MemberRows.isMember(connection, user, projectId));
    }

    @Override
    public List<Member> listMembers(String projectId) {
        return run("list members", () -> MemberRows.list(connection, projectId));
    }

    @Override
    public List<String> projectsOf(String user) {
        return run("list projects of a user", () -> MemberRows.projectsOf(connection, user));
    }

    @Override
    public Page<AuditEntry> listAudit(AuditFilter filter, int pageSize, String pageToken) {
        Objects.requireNonNull(filter, "filter");
        return run("list audit entries", () -> AuditRows.page(connection, filter, pageSize, pageToken));
    }

    @Override
    public long currentRevision() {
        return run("read the current revision", () -> ChangeLog.currentRevision(connection));
    }

    @Override
    public long storeId() {
        return run("read the store id", () -> ChangeLog.storeId(connection));
    }

    @Override
    public List<KeyChange> changesAfter(long afterRevision, int max) {
        return run("list changes", () -> ChangeLog.after(connection, afterRevision, max));
    }

    @Override
    public long oldestServableRevision() {
        return run("read the change log floor", () -> ChangeLog.floor(connection));
    }

    @Override
    public List<ApiKey> allKeys() {
        return run("list all keys", () -> new KeyQuery().orderBy(Order.BY_ID).list(connection));
    }

    @Override
    public long keyCount() {
        return run("count keys", () -> Sql.queryLong(connection, "SELECT COUNT(*) FROM keys WHERE kind <> ?",
                KeyKind.SIDECAR));
    }

    /** A keyset page on the primary key: each page costs the same however deep into the table it is. */
    @Override
    public List<ApiKey> keysAfter(String afterId, int limit) {
        Objects.requireNonNull(afterId, "afterId");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return run("list keys after an id", () -> new KeyQuery().where("id > ?", afterId)
                .orderBy(Order.BY_ID).limit(limit).list(connection));
    }

    @Override
    public Map<String, Instant> lastUsed(Collection<String> keyIds) {
        return run("read last-used times", () -> LastUsedRows.find(connection, keyIds));
    }

    @Override
    public java.util.Set<String> existingKeyIds(Collection<String> keyIds) {
        return run("look up key ids", () -> {
            java.util.Set<String> found = new java.util.HashSet<>();
            for (String id : keyIds) {
                if (Sql.queryLong(connection, "SELECT COUNT(*) FROM keys WHERE id = ?", id) > 0) {
                    found.add(id);
                }
            }
            return found;
        });
    }

    @Override
    public int recordLastUsed(Map<String, Instant> lastUsed) {
        return run("record last-used times", () -> LastUsedRows.record(connection, lastUsed));
    }

    int compactChangesThrough(long revision) {
        return run("compact the change log", () -> ChangeLog.compactThrough(connection, revision));
    }

    private void requireAllocatedHere(long revision) {
        if (revision <= revisionAtStart || revision > lastAllocated) {
            throw new IllegalArgumentException("revision " + revision
                    + " was not allocated by nextRevision() in this transaction");
        }
    }

    private <T> T run(String operation, Call<T> call) {
        if (!open) {
            throw new IllegalStateException(operation + ": the transaction has ended;"
                    + " use the reader or writer only inside its callback");
        }
        try {
            return call.run();
        } catch (SQLException e) {
            throw Failures.translate(operation, e);
        }
    }
}
