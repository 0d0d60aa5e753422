package dev.keymeter.quota;

import static java.util.Objects.requireNonNull;

import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.chronicle.KeyIdBytes;
import dev.keymeter.chronicle.MapLayout;
import dev.keymeter.chronicle.PersistedMap;
import dev.keymeter.chronicle.UnusableMapFileException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * {@link CounterStore} in a persisted Chronicle Map ({@value #MAP_FILE} in the store's directory),
 * shared memory that outlives the process: the counters survive a restart and a {@code kill -9}.
 *
 * <h2>Layout</h2>
 * Constant-size keys of {@value #KEY_BYTES} bytes: the key id's ASCII bytes zero-padded to
 * {@value #MAX_KEY_ID_CHARS}, then the usage epoch (8 bytes, little-endian). Key ids as
 * {@link KeyIdBytes} writes them (the replica's key map uses the same); anything else is refused with
 * {@link IllegalArgumentException}. Constant-size
 * values of {@value #VALUE_BYTES} bytes: {@link KeyQuota#CELLS} little-endian 64-bit cells, cell
 * {@code i} at byte {@code 8 i}. The map is built with {@code entryAndValueOffsetAlignment(8)}, and
 * every value's address is checked to be 8-byte aligned (and its size to be {@value #VALUE_BYTES})
 * before cells are handed out: a violation fails loudly instead of doing misaligned atomics. One
 * extra entry, under the empty key id (never a valid one), records the layout version and the
 * capacity the file was created with.
 *
 * <h2>Hot path</h2>
 * {@link #cellsFor} is one {@link ConcurrentHashMap} lookup: the first call for a key and epoch (in
 * this process) finds or inserts the entry under Chronicle's segment lock ({@code putIfAbsent}
 * semantics: concurrent first callers serialize on that lock, the later ones find the entry, so all
 * get the same memory), takes the native address of its value once, and caches a
 * {@link ChronicleCounterCells} over it. From then on every counter operation is one atomic
 * instruction on the mapped memory: no Chronicle call, no lock, no allocation. The on-heap cache
 * holds one small object per key and epoch this process has touched.
 *
 * <h2>Memory ordering: why raw atomics on mapped memory keep the {@link CounterCells} contract</h2>
 * <ul>
 *   <li>The cells are {@code Unsafe.getLongVolatile / putLongVolatile / compareAndSwapLong /
 *       getAndAddLong} on an absolute address (see {@link ChronicleCounterCells}). HotSpot
 *       implements these exactly as it implements Java {@code volatile} reads and writes and
 *       {@code AtomicLongArray}'s CAS and get-and-add (the same intrinsics and fences; the base
 *       being {@code null} only changes how the address is formed), so within the JVM they take part
 *       in the one synchronization order of the JMM: sequential consistency for these accesses,
 *       which is the contract. The CAS is a strong one ({@code lock cmpxchg} on x86-64, a
 *       retried LL/SC or {@code casal} on AArch64), and get-and-add cannot lose an update.</li>
 *   <li>An aligned 64-bit word is single-copy atomic on x86-64 and AArch64, so no read or write
 *       is torn. Alignment holds by construction and is checked (see Layout): a misaligned word
 *       could straddle a cache line (a slow split lock on x86, a fault on ARM).</li>
 *   <li>The memory is a {@code MAP_SHARED} mapping of the file: the same physical pages for every
 *       mapping, so the hardware atomics are just as atomic against another process mapping the
 *       same file. (This store lets only one process own the file, see below, but nothing here
 *       relies on that.)</li>
 *   <li>Publication of the entry: the thread that inserts the zeroed value does so under the
 *       segment's write lock, and every thread that obtains the address either inserts it or finds
 *       it under that segment lock (a CAS on the lock word: a full fence) or reads the cached
 *       object through {@link ConcurrentHashMap} (a happens-before edge from the put), so it sees
 *       the zeroed value before its first atomic on it.</li>
 * </ul>
 *
 * <h2>Entries are never removed, and never written through the map</h2>
 * The cached address is only valid while the entry stays where it is. Chronicle reuses the space
 * of a removed entry for the next insert: a cached flyweight silently pointed at another key's entry
 * after remove + insert (design §5, measured). Chronicle never moves a live constant-size entry, so
 * an entry that is never removed keeps its address until the map is closed. A {@code put} or
 * {@code replace} of a value through the map would also be a plain (non-atomic, lock-protected)
 * copy racing with the lock-free cells. This class therefore never removes an entry or rewrites a
 * value after the zeroed insert, and offers no way to: an administrative reset is a new usage epoch
 * (fresh cells), and an old epoch's entry stays. Entry checksums are off: Chronicle would not see
 * the raw writes, so every counted entry would look corrupt after a crash (with checksums on,
 * recovery reset whole counters to 0 in 4 of 8 kill cycles, design §5).
 *
 * <h2>Capacity</h2>
 * {@code capacity} is fixed when the file is created ({@code entries(capacity + 1)}, one for the
 * layout record) and enforced here by counting: Chronicle itself would accept about twice as many
 * before it fails. A {@link #cellsFor} that would exceed it throws {@link CounterStoreFullException};
 * so does the (unexpected) case that Chronicle refuses an insert earlier (uneven hashing). Nothing is
 * written then. An existing file may be opened with a smaller capacity than it was created with,
 * not with a larger one ({@link IOException} naming both: a larger capacity needs a new file).
 *
 * <h2>Ownership and crashes</h2>
 * One process owns a counter directory (design §5: a writer killed with -9 leaves a segment lock held
 * that blocks the others): {@link #open} goes through {@link ChronicleFiles#openChecked}, whose
 * marker {@value #OPEN_MARKER} is held locked from open to {@link #close} and refuses a second open
 * (from another process, or this one) with an {@link IOException}. Finding the marker at open
 * means the last owner died with the map open, and the map is opened with Chronicle's
 * {@code recoverPersistedTo(file, false)} (exclusive access guaranteed by the lock;
 * {@code sameLibraryVersion = false} trusts the file's own header). A counter update is one atomic
 * store into shared memory that Chronicle's metadata does not describe, so a kill can lose only an
 * update whose instruction had not run yet: every update that returned before the kill is still
 * there (checked over 20 kill cycles by {@code ChronicleCounterCrashTest}). A kill while a new
 * entry is being inserted may lose that entry, but it is zeroed and no update through it has
 * returned yet. Not covered: power loss or a kernel crash (the file is never {@code msync}ed; pages
 * the kernel had not written back are lost).
 *
 * <p>Thread-safe. Stop every user of the cells before {@link #close}: close unmaps the memory they
 * point at (later use throws {@link IllegalStateException}; a use racing with close may not).
 */
public final class ChronicleCounterStore implements CounterStore {

    public static final String MAP_FILE = "counters.cmap";
    /** Exists while the store is open (or when its owner died with it open). */
    public static final String OPEN_MARKER = "counters.cmap.open";
    public static final int MAX_KEY_ID_CHARS = KeyIdBytes.MAX_CHARS;

    static final int KEY_BYTES = MAX_KEY_ID_CHARS + Long.BYTES;
    static final int VALUE_BYTES = KeyQuota.CELLS * Long.BYTES;

    private static final System.Logger LOG = System.getLogger(ChronicleCounterStore.class.getName());
    private static final long LAYOUT_VERSION = 2; // 2: the window's closed-sum cell (67 cells)
    /** The layout record's key: an empty (never valid) key id. */
    private static final byte[] LAYOUT_KEY = new byte[KEY_BYTES];

    private record Id(String keyId, long epoch) {
    }

    private final PersistedMap<byte[], byte[]> persisted;
    private final ChronicleMap<byte[], byte[]> map;
    private final long capacity;
    private final AtomicLong size;
    private final ConcurrentHashMap<Id, ChronicleCounterCells> cache = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private ChronicleCounterStore(PersistedMap<byte[], byte[]> persisted, long capacity) {
        this.persisted = persisted;
        this.map = persisted.map();
        this.capacity = capacity;
        this.size = new AtomicLong(map.longSize() - 1);
    }

    /**
     * Opens the store in {@code dir} (created when needed), creating the counter file for
     * {@code capacity} keys when there is none and recovering it when its last owner died with it
     * open, through {@link ChronicleFiles#openChecked} (the process-wide way to open a map file: its
     * open marker, owner lock and recovery). A file whose creator died before it was ready held no
     * counts yet: it is deleted and created afresh, instead of refusing to start.
     *
     * @throws IOException when another open (in this process or another) holds the file, or the
     *     file cannot be created, opened or recovered, or was created for fewer keys
     */
    public static ChronicleCounterStore open(Path dir, long capacity) throws IOException {
        requireNonNull(dir, "dir");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        Path file = dir.resolve(MAP_FILE);
        PersistedMap<byte[], byte[]> persisted;
        try {
            persisted = ChronicleFiles.openChecked(layout(capacity), file);
        } catch (UnusableMapFileException unusable) {
            if (!unusable.neverCompleted()) {
                throw unusable;
            }
            LOG.log(Level.WARNING, "the counter file {0} was never completed by its creator: recreating it", file);
            Files.delete(file);
            persisted = ChronicleFiles.openChecked(layout(capacity), file);
        }
        try {
            long fileCapacity = layoutCapacity(persisted.map(), capacity, file);
            if (capacity > fileCapacity) {
                throw new IOException("the counter file " + file + " was created for " + fileCapacity
                        + " keys and cannot hold " + capacity + ": keep the capacity at most " + fileCapacity
                        + " or start a new counter file (the counters in this one are then lost)");
            }
        } catch (IOException | RuntimeException e) {
            // The map opened, so it closes consistently (a refused capacity, say): marked clean.
            try {
                persisted.close();
            } catch (IOException | RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        ChronicleCounterStore store = new ChronicleCounterStore(persisted, capacity);
        if (persisted.recovered()) {
            LOG.log(Level.WARNING, "the counter store in {0} was not closed cleanly: recovered it "
                    + "({1} corruptions repaired), {2} keys", dir, String.valueOf(persisted.corruptions()),
                    String.valueOf(store.size()));
        }
        return store;
    }

    /**
     * Constant-size keys and values, values 8-byte aligned (the cells are read and written in place
     * with 64-bit atomics), room for the layout record, entry checksums off (raw writes bypass
     * Chronicle: checksums would make every counted entry "corrupt").
     */
    static MapLayout<byte[], byte[]> layout(long capacity) {
        return new MapLayout<>("keymeter-counters", byte[].class, byte[].class, new byte[KEY_BYTES],
                new byte[VALUE_BYTES], capacity + 1, Long.BYTES);
    }

    /** Reads the layout record, writing it into a new (empty) map; returns the file's capacity. */
    private static long layoutCapacity(ChronicleMap<byte[], byte[]> map, long capacity, Path file) throws IOException {
        byte[] layout = map.get(LAYOUT_KEY);
        if (layout == null) {
            if (map.longSize() != 0) {
                throw new IOException(file + " holds " + map.longSize() + " entries but no layout record:"
                        + " not a keymeter counter file");
            }
            layout = new byte[VALUE_BYTES];
            ByteBuffer.wrap(layout).order(ByteOrder.LITTLE_ENDIAN).putLong(0, LAYOUT_VERSION).putLong(8, capacity);
            map.put(LAYOUT_KEY, layout);
            return capacity;
        }
        ByteBuffer words = ByteBuffer.wrap(layout).order(ByteOrder.LITTLE_ENDIAN);
        if (layout.length != VALUE_BYTES || words.getLong(0) != LAYOUT_VERSION || words.getLong(8) < 1) {
            throw new IOException(file + " has an unknown layout (version " + words.getLong(0) + ", "
                    + layout.length + "-byte values)");
        }
        return words.getLong(8);
    }

    @Override
    public CounterCells cellsFor(String keyId, long usageEpoch) {
        ChronicleCounterCells cells = cache.get(new Id(keyId, usageEpoch));
        return cells != null ? cells : locate(keyId, usageEpoch, true);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code keyId} is not a valid key id (it could have no cells)
     */
    @Override
    public CounterCells existing(String keyId, long usageEpoch) {
        ChronicleCounterCells cells = cache.get(new Id(keyId, usageEpoch));
        return cells != null ? cells : locate(keyId, usageEpoch, false);
    }

    /** Finds (or, with {@code create}, inserts) the entry and caches cells over it; null if absent. */
    private ChronicleCounterCells locate(String keyId, long usageEpoch, boolean create) {
        byte[] key = mapKey(keyId, usageEpoch);
        requireOpen();
        long address;
        try (ExternalMapQueryContext<byte[], byte[], ?> context = map.queryContext(key)) {
            MapEntry<byte[], byte[]> entry;
            if (create) {
                context.updateLock().lock();
                entry = context.entry();
                if (entry == null) {
                    insertZeroed(context);
                    entry = context.entry();
                    if (entry == null) {
                        throw new IllegalStateException("Chronicle did not show the entry it just inserted for "
                                + keyId + " epoch " + usageEpoch);
                    }
                }
            } else {
                context.readLock().lock();
                entry = context.entry();
                if (entry == null) {
                    return null;
                }
            }
            address = addressOf(entry.value());
        }
        ChronicleCounterCells fresh = new ChronicleCounterCells(this, address);
        ChronicleCounterCells raced = cache.putIfAbsent(new Id(keyId, usageEpoch), fresh);
        return raced != null ? raced : fresh;
    }

    /** Inserts a zeroed value under the held update lock, counting it against the capacity first. */
    private void insertZeroed(ExternalMapQueryContext<byte[], byte[], ?> context) {
        long n;
        do {
            n = size.get();
            if (n >= capacity) {
                throw new CounterStoreFullException(capacity);
            }
        } while (!size.compareAndSet(n, n + 1));
        try {
            context.insert(context.absentEntry(), context.wrapValueAsData(new byte[VALUE_BYTES]));
        } catch (IllegalStateException refused) {
            // Chronicle ran out of room before our count did (uneven hashing over its segments).
            size.decrementAndGet();
            CounterStoreFullException full = new CounterStoreFullException(capacity);
            full.initCause(refused);
            throw full;
        } catch (RuntimeException | Error e) {
            size.decrementAndGet();
            throw e;
        }
    }

    private static long addressOf(Data<byte[]> value) {
        if (value.size() != VALUE_BYTES) {
            throw new IllegalStateException("a counter entry holds " + value.size() + " bytes, expected " + VALUE_BYTES
                    + ": the counter file has another layout");
        }
        long address = value.bytes().addressForRead(value.offset());
        if ((address & (Long.BYTES - 1)) != 0) {
            throw new IllegalStateException("a counter entry's value at 0x" + Long.toHexString(address)
                    + " is not 8-byte aligned: lock-free 64-bit atomics need aligned cells");
        }
        return address;
    }

    /** The map key of a valid key id and epoch; refuses an invalid key id. */
    static byte[] mapKey(String keyId, long usageEpoch) {
        byte[] key = new byte[KEY_BYTES];
        KeyIdBytes.write(keyId, key, 0);
        ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).putLong(MAX_KEY_ID_CHARS, usageEpoch);
        return key;
    }

    void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the counter store " + persisted.file() + " is closed");
        }
    }

    /** True when the previous owner died with the store open and this open ran Chronicle's recovery. */
    public boolean recovered() {
        return persisted.recovered();
    }

    @Override
    public long size() {
        return size.get();
    }

    @Override
    public long capacity() {
        return capacity;
    }

    /**
     * Closes the map and marks the store cleanly closed (the next open needs no recovery). Stop the
     * users of the cells first. A failure to close is logged, and the next open recovers.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        cache.clear();
        try {
            persisted.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "closing the counter store " + persisted.file() + " failed; the next open"
                    + " will recover it", e);
        }
    }
}
