package dev.keymeter.quota;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * {@link CounterStore} in a persisted Chronicle Map ({@value #MAP_FILE} in the store's directory),
 * shared memory that outlives the process: the counters survive a restart and a {@code kill -9}.
 *
 * <h2>Layout</h2>
 * Constant-size keys of {@value #KEY_BYTES} bytes: the key id's ASCII bytes zero-padded to
 * {@value #MAX_KEY_ID_CHARS}, then the usage epoch (8 bytes, little-endian). Key ids are 1 to
 * {@value #MAX_KEY_ID_CHARS} printable ASCII characters without spaces (ids are {@code key_} and 20
 * base62 characters); anything else is refused with {@link IllegalArgumentException}. Constant-size
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
 * that blocks the others): {@link #open} holds an exclusive lock on {@value #LOCK_FILE} until
 * {@link #close}, and refuses with an {@link IOException} while another process (or another open in
 * this process) holds it. {@value #OPEN_MARKER} exists from open to clean close; finding it at open
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
    /** Held locked while the store is open; never deleted. */
    public static final String LOCK_FILE = "counters.lock";
    public static final int MAX_KEY_ID_CHARS = 24;

    static final int KEY_BYTES = MAX_KEY_ID_CHARS + Long.BYTES;
    static final int VALUE_BYTES = KeyQuota.CELLS * Long.BYTES;

    private static final System.Logger LOG = System.getLogger(ChronicleCounterStore.class.getName());
    private static final long LAYOUT_VERSION = 2; // 2: the window's closed-sum cell (67 cells)
    /** The layout record's key: an empty (never valid) key id. */
    private static final byte[] LAYOUT_KEY = new byte[KEY_BYTES];

    private record Id(String keyId, long epoch) {
    }

    private final CounterDirectory directory;
    private final ChronicleMap<byte[], byte[]> map;
    private final long capacity;
    private final boolean recovered;
    private final AtomicLong size;
    private final ConcurrentHashMap<Id, ChronicleCounterCells> cache = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private ChronicleCounterStore(CounterDirectory directory, ChronicleMap<byte[], byte[]> map, long capacity,
            boolean recovered) {
        this.directory = directory;
        this.map = map;
        this.capacity = capacity;
        this.recovered = recovered;
        this.size = new AtomicLong(map.longSize() - 1);
    }

    /**
     * Opens the store in {@code dir} (created when needed), creating the counter file for
     * {@code capacity} keys when there is none and recovering it when its last owner died with it
     * open.
     *
     * @throws IOException when another open (in this process or another) holds the directory, or
     *     the file cannot be created, opened or recovered, or was created for fewer keys
     */
    public static ChronicleCounterStore open(Path dir, long capacity) throws IOException {
        requireNonNull(dir, "dir");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        CounterDirectory directory = CounterDirectory.acquire(dir);
        ChronicleMap<byte[], byte[]> map = null;
        try {
            Path file = directory.dir().resolve(MAP_FILE);
            boolean recover = directory.leftOpen() && Files.exists(file);
            if (recover && neverCompleted(file)) {
                // Its creator died before the map was ready, so nothing was ever counted in it;
                // Chronicle would wait 60 s for that creator. Start afresh.
                LOG.log(Level.WARNING, "the counter file {0} was never completed by its creator: recreating it", file);
                Files.delete(file);
                recover = false;
            }
            directory.markOpen();
            LongAdder corruptions = new LongAdder();
            map = recover
                    ? builder(capacity).recoverPersistedTo(file.toFile(), false, c -> corruptions.increment())
                    : builder(capacity).createPersistedTo(file.toFile());
            long fileCapacity = layoutCapacity(map, capacity, file);
            if (capacity > fileCapacity) {
                throw new IOException("the counter file " + file + " was created for " + fileCapacity
                        + " keys and cannot hold " + capacity + ": keep the capacity at most " + fileCapacity
                        + " or start a new counter file (the counters in this one are then lost)");
            }
            ChronicleCounterStore store = new ChronicleCounterStore(directory, map, capacity, recover);
            if (recover) {
                LOG.log(Level.WARNING, "the counter store in {0} was not closed cleanly: recovered it "
                        + "({1} corruptions repaired), {2} keys", directory.dir(),
                        String.valueOf(corruptions.sum()), String.valueOf(store.size()));
            }
            return store;
        } catch (IOException | RuntimeException | Error e) {
            // A map that opened and closes again is consistent (a refused capacity, say): the marker
            // goes. Otherwise the file may be half-written: keep the marker, the next open recovers it.
            boolean clean = false;
            if (map != null) {
                try {
                    map.close();
                    clean = true;
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            try {
                if (clean) {
                    directory.closeClean();
                } else {
                    directory.release();
                }
            } catch (IOException releasing) {
                e.addSuppressed(releasing);
            }
            throw e;
        }
    }

    static ChronicleMapBuilder<byte[], byte[]> builder(long capacity) {
        return ChronicleMapBuilder.of(byte[].class, byte[].class)
                .name("keymeter-counters")
                .constantKeySizeBySample(new byte[KEY_BYTES])
                .constantValueSizeBySample(new byte[VALUE_BYTES])
                // Values (the cells) start 8-byte aligned; checked per entry anyway.
                .entryAndValueOffsetAlignment(Long.BYTES)
                .entries(capacity + 1)
                // Raw writes bypass Chronicle: checksums would make every counted entry "corrupt".
                .checksumEntries(false);
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

    /**
     * True when the file's Chronicle header never became ready: an 8-byte checksum, then a 4-byte
     * little-endian size word whose top bit ("not complete") the creator clears when the map is
     * ready, and which is zero before the creator wrote anything.
     */
    private static boolean neverCompleted(Path file) throws IOException {
        if (Files.size(file) < 12) {
            return true;
        }
        ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (word.hasRemaining()) {
                if (channel.read(word, 8 + word.position()) < 0) {
                    return true;
                }
            }
        }
        int size = word.flip().getInt();
        return size < 0 || (size & ((1 << 30) - 1)) == 0;
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
        requireValid(keyId);
        byte[] key = new byte[KEY_BYTES];
        for (int i = 0; i < keyId.length(); i++) {
            key[i] = (byte) keyId.charAt(i);
        }
        ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).putLong(MAX_KEY_ID_CHARS, usageEpoch);
        return key;
    }

    private static void requireValid(String keyId) {
        if (keyId == null || keyId.isEmpty() || keyId.length() > MAX_KEY_ID_CHARS) {
            throw new IllegalArgumentException("key id " + (keyId == null ? "null" : "\"" + keyId + "\" ("
                    + keyId.length() + " characters)") + " is not 1 to " + MAX_KEY_ID_CHARS + " characters long");
        }
        for (int i = 0; i < keyId.length(); i++) {
            char c = keyId.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException("key id \"" + keyId + "\" has a character other than printable"
                        + " ASCII at index " + i);
            }
        }
    }

    void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the counter store in " + directory.dir() + " is closed");
        }
    }

    /** True when the previous owner died with the store open and this open ran Chronicle's recovery. */
    public boolean recovered() {
        return recovered;
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
     * Closes the map and marks the store cleanly closed (the next open needs no recovery), then
     * releases the directory. Stop the users of the cells first. A failure to close is logged, and
     * the next open recovers.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        cache.clear();
        try {
            map.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing the counter store in " + directory.dir() + " failed; the next open"
                    + " will recover it", e);
            releaseQuietly();
            return;
        }
        try {
            directory.closeClean();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "releasing the counter store in " + directory.dir() + " failed", e);
        }
    }

    private void releaseQuietly() {
        try {
            directory.release();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "releasing the counter store in " + directory.dir() + " failed", e);
        }
    }
}
