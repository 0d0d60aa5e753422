package dev.keymeter.usage;

import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.chronicle.MapLayout;
import dev.keymeter.chronicle.PersistedMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One generation of {@link RecentRequests}: a Chronicle Map file {@code ids-<start millis>.cmap} of
 * 16-byte request digests → the time they were first counted, holding at most {@code capacity}
 * entries. Thread-safe (Chronicle's per-segment locks); closed or deleted only under the owner's
 * write lock.
 */
final class RequestIdGeneration implements AutoCloseable {

    static final String PREFIX = "ids-";
    static final String SUFFIX = ".cmap";
    static final int DIGEST_BYTES = 16;

    private final PersistedMap<byte[], Long> map;
    private final long startMillis;
    private final long capacity;
    /** Entries added since opened, plus those found at open: decides when the generation is full. */
    private final AtomicLong count;

    private RequestIdGeneration(PersistedMap<byte[], Long> map, long startMillis, long capacity) {
        this.map = map;
        this.startMillis = startMillis;
        this.capacity = capacity;
        this.count = new AtomicLong(map.map().longSize());
    }

    static Path fileFor(Path dir, long startMillis) {
        return dir.resolve(PREFIX + startMillis + SUFFIX);
    }

    /** The start time named by {@code file}, or -1 when it is not a generation file. */
    static long startOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Opens (creating, or recovering after a crash) the generation started at {@code startMillis}. */
    static RequestIdGeneration open(Path dir, long startMillis, long capacity) throws IOException {
        MapLayout<byte[], Long> layout = new MapLayout<>("keymeter-request-ids", byte[].class, Long.class,
                new byte[DIGEST_BYTES], 0L, capacity);
        return new RequestIdGeneration(ChronicleFiles.openChecked(layout, fileFor(dir, startMillis)), startMillis,
                capacity);
    }

    long startMillis() {
        return startMillis;
    }

    boolean full() {
        return count.get() >= capacity;
    }

    long size() {
        return map.map().longSize();
    }

    /** When {@code digest} was first counted here, or -1. */
    long seenAt(byte[] digest) {
        Long at = map.map().get(digest);
        return at == null ? -1 : at;
    }

    /** Remembers {@code digest}; true when it was not held yet. */
    boolean add(byte[] digest, long nowMillis) {
        if (map.map().putIfAbsent(digest, nowMillis) != null) {
            return false;
        }
        count.incrementAndGet();
        return true;
    }

    @Override
    public void close() throws IOException {
        map.close();
    }

    /** Closes the map and deletes its file and open marker. */
    void delete() throws IOException {
        try {
            close();
        } finally {
            deleteFiles(map.file());
        }
    }

    static void deleteFiles(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(ChronicleFiles.markerFor(file));
    }
}
