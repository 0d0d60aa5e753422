package dev.keymeter.replica;

import dev.keymeter.chronicle.KeyIdBytes;
import static java.util.Objects.requireNonNull;

import dev.keymeter.proto.replication.v1.KeyRecord;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;

/**
 * The key replica in persisted Chronicle Maps: Check's lookups read off-heap memory, so the heap
 * does not grow with the number of keys (1,000,000 keys fit a 64 MB heap).
 *
 * <p><b>Files</b> (see {@link ReplicaFiles}): {@value #DIGESTS_FILE} maps each secret's SHA-256 to
 * a {@value EntryLayout#BYTES}-byte {@link EntryLayout} record, the only map Check reads;
 * {@value #KEYS_FILE} maps each key id to its digests and snapshot generation
 * ({@link KeyDigests}); {@value #META_FILE} holds the applied revision, the loaded flag, the
 * snapshot generation, the capacity and the layout version ({@link ReplicaMeta}, two slots).
 * Keys and values are byte arrays of constant size, read by copying ({@code getUsing}), never
 * through flyweights: design §5 measured torn records through flyweights and none through
 * copies. Entry checksums are off, as design §5 measured for recovery. Both data maps are
 * created with {@code entries(digestCapacity)}; Chronicle's extra segment tiers give about 2×
 * beyond that (measured: refusals start at 2.0–2.08× entries), which only uneven hashing can
 * reach, because an upsert that would take the replica past {@code digestCapacity} is refused
 * with {@link ReplicaFullException} before anything is written.
 *
 * <p><b>Threads.</b> One writer, many readers. Writes are {@code synchronized}, so a second
 * writer is serialized rather than corrupting the key-map invariant (uncontended, the lock costs
 * nothing next to a Chronicle put). {@link #lookup} takes no Java lock: Chronicle's per-segment
 * lock makes each put and each {@code getUsing} atomic per entry, and the read-lock acquisition is
 * a CAS on the lock word in shared memory, a full fence, so a reader that sees the new value also
 * sees all of it. A reader sees each digest before or after a put, never a mix; the digests of
 * one key are updated one after the other. The meta is an immutable value in a volatile field,
 * published after its bytes are in the map.
 *
 * <p><b>Crash safety.</b> Every change writes its data first and the revision last
 * ({@link #markApplied}, {@link #endSnapshot}). A process killed in between restarts at the older
 * revision, and the control plane sends the change again: applying an upsert or delete twice
 * gives the same state. {@link DigestIndex} keeps its invariant between any two writes, the meta
 * alternates between two slots, and after a recovery orphaned digests are removed before the
 * replica serves. Files that cannot be opened or fail validation are an
 * {@link ReplicaUnusableException}; {@link #openOrRebuild} moves them aside and starts empty.
 */
public final class ChronicleKeyReplica implements KeyReplica {

    public static final String DIGESTS_FILE = ReplicaFiles.DIGESTS;
    public static final String KEYS_FILE = ReplicaFiles.KEYS;
    public static final String META_FILE = ReplicaFiles.META;
    /** Held locked while the replica is open; never deleted. */
    public static final String LOCK_FILE = DirectoryLock.FILE;
    /** The setting that sizes the replica, named in every "full" message. */
    public static final String CAPACITY_SETTING = "--replica-capacity";

    private static final System.Logger LOG = System.getLogger(ChronicleKeyReplica.class.getName());

    private final ReplicaFiles files;
    private final MetaStore meta;
    private final DigestIndex index;
    private volatile boolean closed;
    /** The snapshot in progress, if one is; writer state, guarded by {@code this}. */
    private long snapshotRevision;
    private boolean inSnapshot;

    private ChronicleKeyReplica(ReplicaFiles files, MetaStore meta, DigestIndex index) {
        this.files = files;
        this.meta = meta;
        this.index = index;
    }

    /**
     * Opens the replica in {@code dir}, creating empty files there when it has none and recovering
     * files that were not closed cleanly.
     *
     * @param digestCapacity the most secret digests the replica will hold; fixed when the files
     *     are created
     * @throws ReplicaUnusableException when the files exist but cannot serve (see
     *     {@link #openOrRebuild})
     * @throws IOException when the directory is in use by another open, here or in another process
     */
    public static ChronicleKeyReplica open(Path dir, long digestCapacity) throws IOException {
        requireCapacity(digestCapacity);
        DirectoryLock lock = DirectoryLock.acquire(requireNonNull(dir, "dir"));
        try {
            return open(lock, digestCapacity);
        } catch (IOException | RuntimeException e) {
            release(lock, e);
            throw e;
        }
    }

    /**
     * Like {@link #open}, but files that cannot serve are moved aside (renamed to
     * {@code <file>.broken-<epoch millis>}; deleted when they are only sized for another capacity; only
     * the last {@value BrokenFiles#KEEP} rebuilds' are kept, older ones are deleted here)
     * and the replica starts empty and not loaded, so Check denies until a snapshot arrives. A
     * directory in use by another open is never touched: that is still an {@link IOException}.
     */
    public static ChronicleKeyReplica openOrRebuild(Path dir, long digestCapacity) throws IOException {
        requireCapacity(digestCapacity);
        DirectoryLock lock = DirectoryLock.acquire(requireNonNull(dir, "dir"));
        try {
            ChronicleKeyReplica opened;
            try {
                opened = open(lock, digestCapacity);
            } catch (ReplicaUnusableException unusable) {
                clearForRebuild(lock, unusable, digestCapacity);
                opened = open(lock, digestCapacity);
            }
            BrokenFiles.pruneQuietly(lock.dir(), BrokenFiles.KEEP);
            return opened;
        } catch (IOException | RuntimeException e) {
            release(lock, e);
            throw e;
        }
    }

    private static ChronicleKeyReplica open(DirectoryLock lock, long digestCapacity) throws IOException {
        ReplicaFiles files = ReplicaFiles.open(lock, digestCapacity);
        try {
            boolean empty = files.digestMap().isEmpty() && files.keyMap().isEmpty();
            MetaStore meta = MetaStore.open(files.metaMap(), digestCapacity, empty);
            DigestIndex index = new DigestIndex(files.digestMap(), files.keyMap());
            if (files.recovered()) {
                long orphans = index.removeOrphans();
                LOG.log(Level.WARNING, "the key replica in {0} was not closed cleanly: recovered it "
                        + "({1} corruptions repaired, {2} orphaned digests removed), serving revision {3}",
                        lock.dir(), String.valueOf(files.corruptions()), String.valueOf(orphans),
                        String.valueOf(meta.current().appliedRevision()));
            }
            return new ChronicleKeyReplica(files, meta, index);
        } catch (IOException | RuntimeException e) {
            closeMaps(files, e);
            throw e instanceof ReplicaUnusableException u ? u
                    : new ReplicaUnusableException("cannot read the replica files: " + e, e);
        }
    }

    private static void clearForRebuild(DirectoryLock lock, ReplicaUnusableException unusable, long capacity)
            throws IOException {
        if (unusable.resized()) {
            LOG.log(Level.WARNING, "the key replica in {0}: {1}; {2} is now {3}: deleting it and starting "
                    + "empty until the control plane''s snapshot loads (Check denies until then)",
                    lock.dir(), unusable.getMessage(), CAPACITY_SETTING, String.valueOf(capacity));
            ReplicaFiles.clear(lock, null);
            return;
        }
        String suffix = BrokenFiles.MARK + System.currentTimeMillis();
        LOG.log(Level.WARNING, "the key replica in {0} cannot be used ({1}); moved its files aside as "
                + "*{2} and starting empty until the control plane''s snapshot loads (Check denies until then)",
                lock.dir(), unusable.getMessage(), suffix);
        ReplicaFiles.clear(lock, suffix);
    }

    @Override
    public boolean lookup(byte[] sha256, ReplicaEntry into) {
        if (closed || sha256 == null || sha256.length != KeyDigests.DIGEST_BYTES) {
            return false;
        }
        return index.lookup(sha256, into);
    }

    @Override
    public boolean lookupKey(String keyId, ReplicaEntry into) {
        if (closed || keyId == null || !KeyIdBytes.valid(keyId)) {
            return false;
        }
        KeyDigests digests = index.digestsOf(KeyIdBytes.of(keyId));
        if (digests == null) {
            return false;
        }
        for (byte[] digest : digests.digests()) {
            if (index.lookup(digest, into) && into.secretExpiresAtMillis == ReplicaEntry.NEVER) {
                return true;
            }
        }
        // Only rotated-out secrets are left (or the entries vanished under a concurrent write): any will do.
        for (byte[] digest : digests.digests()) {
            if (index.lookup(digest, into)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when the record breaks the replication contract (see
     *     {@link KeyRecords}); nothing is written then
     */
    @Override
    public synchronized void upsert(KeyRecord record) {
        requireOpen();
        KeyUpdate update = KeyRecords.read(requireNonNull(record, "record"));
        byte[] keyMapKey = KeyIdBytes.of(update.keyId());
        KeyDigests old = index.digestsOf(keyMapKey);
        requireRoom(update, old);
        try {
            index.replace(keyMapKey, old, update, meta.current().generation());
        } catch (IllegalStateException refused) {
            // Only uneven hashing gets here (see the class comment); the key was removed whole.
            throw full("Chronicle refused another entry for key " + update.keyId() + ", which was removed ("
                    + String.valueOf(refused.getMessage()).lines().findFirst().orElse("") + ")", refused);
        }
    }

    /**
     * Refuses before writing when the digests this upsert adds, less those it removes, would take
     * the replica past its capacity. Keys need no check of their own: every key holds at least one
     * digest, so the key map never holds more entries than the digest map.
     */
    private void requireRoom(KeyUpdate update, KeyDigests old) {
        List<byte[]> next = update.digests();
        List<byte[]> leaving = old == null ? List.of() : old.leaving(next);
        long after = index.digestCount() - index.present(leaving) + (next.size() - index.present(next));
        if (after > digestCapacity()) {
            throw full("key " + update.keyId() + " would take it to " + after, null);
        }
    }

    private ReplicaFullException full(String detail, Throwable cause) {
        return new ReplicaFullException("the key replica is full: it holds " + index.digestCount()
                + " secret digests of " + index.keyCount() + " keys and was sized for " + digestCapacity()
                + " digests; " + detail + ". Raise " + CAPACITY_SETTING
                + " (the replica is then rebuilt from the control plane at start-up)", cause);
    }

    @Override
    public synchronized void delete(String keyId) {
        requireOpen();
        if (KeyIdBytes.valid(keyId)) {
            index.remove(KeyIdBytes.of(keyId));
        }
    }

    /** Moves to the next snapshot generation; keys keep serving until {@link #endSnapshot} sweeps. */
    @Override
    public synchronized void beginSnapshot(long revision) {
        requireOpen();
        meta.write(meta.current().withNextGeneration());
        snapshotRevision = revision;
        inSnapshot = true;
    }

    /**
     * @throws IllegalStateException when no snapshot was begun by this open of the replica
     * @throws IllegalArgumentException when {@code revision} is not the one the snapshot began with
     */
    @Override
    public synchronized void endSnapshot(long revision) {
        requireOpen();
        if (!inSnapshot) {
            throw new IllegalStateException("endSnapshot(" + revision + ") without beginSnapshot");
        }
        if (revision != snapshotRevision) {
            throw new IllegalArgumentException("endSnapshot(" + revision + ") ends the snapshot begun at "
                    + snapshotRevision);
        }
        ReplicaMeta current = meta.current();
        long removed = index.sweep(current.generation());         // data first,
        meta.write(current.withApplied(revision, true));          // then the revision
        inSnapshot = false;
        LOG.log(Level.INFO, "the key replica loaded the snapshot at revision {0}: {1} keys, {2} secret "
                + "digests; removed {3} keys the snapshot did not list", String.valueOf(revision),
                String.valueOf(index.keyCount()), String.valueOf(index.digestCount()), String.valueOf(removed));
    }

    @Override
    public long appliedRevision() {
        return meta.current().appliedRevision();
    }

    /**
     * {@inheritDoc}
     *
     * <p>A snapshot begun but not ended is abandoned here: its stream broke, and this stream
     * resumes with changes after the applied revision instead. The keys it upserted stay (they are
     * current), nothing is swept, and a later {@link #endSnapshot} without a new
     * {@link #beginSnapshot} is refused.
     */
    @Override
    public synchronized void markApplied(long revision) {
        requireOpen();
        inSnapshot = false;
        ReplicaMeta current = meta.current();
        meta.write(current.withApplied(revision, current.loaded()));
    }

    @Override
    public long storeId() {
        return meta.current().storeId();
    }

    /** Records the store id in the meta (in the reserved bytes of layout 2: older files read 0, unknown). */
    @Override
    public synchronized void markStore(long storeId) {
        requireOpen();
        if (storeId < 0 || storeId > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("store id out of range: " + storeId);
        }
        ReplicaMeta current = meta.current();
        if (current.storeId() != storeId) {
            meta.write(current.withStore((int) storeId));
        }
    }

    @Override
    public boolean isLoaded() {
        return meta.current().loaded();
    }

    @Override
    public long keyCount() {
        return closed ? 0 : index.keyCount();
    }

    @Override
    public long digestCount() {
        return closed ? 0 : index.digestCount();
    }

    @Override
    public long digestCapacity() {
        return meta.current().capacity();
    }

    /**
     * Closes the files cleanly. Stop the Check threads first: a lookup that started before close
     * may still be reading the mapped memory that close unmaps. A failure to close is logged, and
     * the next open recovers.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            files.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the key replica failed; the next open will recover it", e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the key replica is closed");
        }
    }

    private static void requireCapacity(long digestCapacity) {
        if (digestCapacity < 1) {
            throw new IllegalArgumentException("digestCapacity must be at least 1, was " + digestCapacity);
        }
    }

    private static void closeMaps(ReplicaFiles files, Exception failure) {
        try {
            files.closeMaps();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static void release(DirectoryLock lock, Exception failure) {
        try {
            lock.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
