package dev.keymeter.replica;

import dev.keymeter.chronicle.KeyIdBytes;
import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.chronicle.MapLayout;
import dev.keymeter.chronicle.PersistedMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * The three Chronicle Map files of one replica directory, opened and closed together under the
 * directory's lock.
 *
 * <ul>
 *   <li>{@value #DIGESTS}: SHA-256 digest (32 bytes) → {@link EntryLayout} record. Check reads
 *       only this map.
 *   <li>{@value #KEYS}: key id ({@link dev.keymeter.chronicle.KeyIdBytes}) → {@link KeyDigests}. Writers only.
 *   <li>{@value #META}: slot 0 and 1 → {@link ReplicaMeta}, written alternately.
 * </ul>
 *
 * <p>Both data maps hold at most {@code capacity} entries: every key in the key map has at least
 * one digest, so there are never more keys than digests.
 */
final class ReplicaFiles implements AutoCloseable {

    static final String DIGESTS = "digests.cmap";
    static final String KEYS = "keys.cmap";
    static final String META = "meta.cmap";
    static final List<String> ALL = List.of(DIGESTS, KEYS, META);

    private final DirectoryLock lock;
    private final List<PersistedMap<?, ?>> opened;
    private final PersistedMap<byte[], byte[]> digests;
    private final PersistedMap<byte[], byte[]> keys;
    private final PersistedMap<Integer, byte[]> meta;

    private ReplicaFiles(DirectoryLock lock, PersistedMap<byte[], byte[]> digests,
            PersistedMap<byte[], byte[]> keys, PersistedMap<Integer, byte[]> meta) {
        this.lock = lock;
        this.digests = digests;
        this.keys = keys;
        this.meta = meta;
        this.opened = List.of(digests, keys, meta);
    }

    static MapLayout<byte[], byte[]> digestLayout(long capacity) {
        return new MapLayout<>("keymeter-replica-digests", byte[].class, byte[].class,
                new byte[KeyDigests.DIGEST_BYTES], new byte[EntryLayout.BYTES], capacity);
    }

    static MapLayout<byte[], byte[]> keyLayout(long capacity) {
        return new MapLayout<>("keymeter-replica-keys", byte[].class, byte[].class,
                new byte[KeyIdBytes.MAX_CHARS], new byte[KeyDigests.BYTES], capacity);
    }

    static MapLayout<Integer, byte[]> metaLayout() {
        return new MapLayout<>("keymeter-replica-meta", Integer.class, byte[].class,
                0, new byte[ReplicaMeta.BYTES], 2);
    }

    /**
     * Opens (creating or recovering) the three maps in the locked directory.
     *
     * @throws ReplicaUnusableException when a file exists but Chronicle cannot open it; the maps
     *     opened before it are closed again and the lock stays with the caller
     */
    static ReplicaFiles open(DirectoryLock lock, long capacity) throws ReplicaUnusableException {
        requireAllOrNone(lock.dir());
        List<PersistedMap<?, ?>> done = new ArrayList<>();
        try {
            var meta = opened(done, ChronicleFiles.openChecked(metaLayout(), lock.dir().resolve(META)));
            var digests = opened(done, ChronicleFiles.openChecked(digestLayout(capacity), lock.dir().resolve(DIGESTS)));
            var keys = opened(done, ChronicleFiles.openChecked(keyLayout(capacity), lock.dir().resolve(KEYS)));
            return new ReplicaFiles(lock, digests, keys, meta);
        } catch (IOException | RuntimeException e) {
            // Under the directory lock nobody else owns these files: the failure is about them.
            closeQuietly(done, e);
            throw new ReplicaUnusableException("cannot open the replica files: " + e.getMessage(), e);
        }
    }

    /**
     * Chronicle would quietly create a missing file next to the others; an empty key map beside a
     * full digest map would leave every digest unremovable. Some files without the others are
     * therefore unusable (also after a kill during the very first open: then there is nothing to lose).
     */
    private static void requireAllOrNone(Path dir) throws ReplicaUnusableException {
        List<String> missing = ALL.stream().filter(name -> !Files.exists(dir.resolve(name))).toList();
        if (!missing.isEmpty() && missing.size() < ALL.size()) {
            throw new ReplicaUnusableException("the replica directory lacks " + String.join(" and ", missing)
                    + " beside its other files", null);
        }
    }

    private static <K, V> PersistedMap<K, V> opened(List<PersistedMap<?, ?>> done, PersistedMap<K, V> map) {
        done.add(map);
        return map;
    }

    /** True when any map had to be recovered: its last owner died with it open. */
    boolean recovered() {
        return opened.stream().anyMatch(PersistedMap::recovered);
    }

    long corruptions() {
        return opened.stream().mapToLong(PersistedMap::corruptions).sum();
    }

    ChronicleMap<byte[], byte[]> digestMap() {
        return digests.map();
    }

    ChronicleMap<byte[], byte[]> keyMap() {
        return keys.map();
    }

    ChronicleMap<Integer, byte[]> metaMap() {
        return meta.map();
    }

    /** Closes the maps, keeping the directory locked (for a rebuild that follows). */
    void closeMaps() throws IOException {
        IOException first = null;
        for (PersistedMap<?, ?> map : opened) {
            try {
                map.close();
            } catch (IOException | RuntimeException e) {
                first = first == null ? new IOException("closing " + map.file(), e) : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Closes the maps, then releases the directory. */
    @Override
    public void close() throws IOException {
        try {
            closeMaps();
        } finally {
            lock.close();
        }
    }

    /**
     * Moves the replica's files out of the way: renamed with {@code suffix} to keep them for
     * diagnosis, or deleted when {@code suffix} is {@code null}. Their open markers go either way,
     * so that the new files are not taken for crashed ones.
     */
    static void clear(DirectoryLock lock, String suffix) throws IOException {
        for (String name : ALL) {
            Path file = lock.dir().resolve(name);
            if (suffix == null) {
                Files.deleteIfExists(file);
            } else if (Files.exists(file)) {
                Files.move(file, file.resolveSibling(name + suffix));
            }
            Files.deleteIfExists(ChronicleFiles.markerFor(file));
        }
    }

    private static void closeQuietly(List<PersistedMap<?, ?>> maps, Exception failure) {
        for (PersistedMap<?, ?> map : maps) {
            try {
                map.close();
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
