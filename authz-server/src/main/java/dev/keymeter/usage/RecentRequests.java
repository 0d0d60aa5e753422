package dev.keymeter.usage;

import dev.keymeter.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * The request ids whose usage was counted lately: what makes {@code Report} and the access log
 * idempotent, also across a restart of the sidecar. Persisted in Chronicle Map files under the data
 * directory (like the counters), off the heap.
 *
 * <p><b>Bounded.</b> Two generations of at most {@code capacity / 2} ids each: new ids go to the current
 * one; when it has been current for the retention, or is full, it becomes the previous one and the
 * previous one is deleted. So an id is recognised for at least the retention unless more than
 * {@code capacity / 2} ids arrive within it (then for less: {@link #earlyRotations} counts those), and
 * the files never hold more than {@code capacity} ids. What is held is a 16-byte SHA-256 prefix of the
 * key id and request id, never the request id itself.
 *
 * <p>Thread-safe: Chronicle's {@code putIfAbsent} decides which of two concurrent reports of one id
 * counts; a read lock covers the lookups, the write lock the rare rotation (not on the Check path).
 */
public final class RecentRequests implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("keymeter.usage");
    public static final long DEFAULT_RETENTION_MILLIS = 60 * 60_000;
    /** Two generations of 500,000 ids: two files of about 17 MB (measured). */
    public static final long DEFAULT_CAPACITY = 1_000_000;

    private final Path dir;
    private final long retentionMillis;
    private final long generationCapacity;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final AtomicLong earlyRotations = new AtomicLong();
    // Guarded by lock (replaced under the write lock).
    private RequestIdGeneration current;
    private RequestIdGeneration previous;

    private RecentRequests(Path dir, long retentionMillis, long generationCapacity, RequestIdGeneration current,
            RequestIdGeneration previous) {
        this.dir = dir;
        this.retentionMillis = retentionMillis;
        this.generationCapacity = generationCapacity;
        this.current = current;
        this.previous = previous;
    }

    /**
     * Opens the table in {@code dir}: the two newest generations there are kept (older ones, and files
     * that cannot be opened, are deleted: only de-duplication of their retries is lost).
     */
    public static RecentRequests open(Path dir, long capacity, long retentionMillis, long nowMillis)
            throws IOException {
        if (capacity < 2) {
            throw new IllegalArgumentException("request-id capacity must be at least 2, was " + capacity);
        }
        if (retentionMillis < 1000) {
            throw new IllegalArgumentException("request-id retention must be at least 1s, was " + retentionMillis);
        }
        OwnerOnly.createDirectories(dir);
        List<Long> starts = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.mapToLong(RequestIdGeneration::startOf).filter(s -> s >= 0).forEach(starts::add);
        }
        starts.sort(Comparator.reverseOrder());
        long perGeneration = capacity / 2;
        RequestIdGeneration newest = null;
        RequestIdGeneration older = null;
        for (long start : starts) {
            if (newest != null && older != null) {
                RequestIdGeneration.deleteFiles(RequestIdGeneration.fileFor(dir, start));
                continue;
            }
            RequestIdGeneration g = openOrDrop(dir, start, perGeneration);
            if (g == null) {
                continue;
            }
            if (newest == null) {
                newest = g;
            } else {
                older = g;
            }
        }
        if (newest == null) {
            newest = RequestIdGeneration.open(dir, nowMillis, perGeneration);
        }
        return new RecentRequests(dir, retentionMillis, perGeneration, newest, older);
    }

    private static RequestIdGeneration openOrDrop(Path dir, long start, long perGeneration) throws IOException {
        try {
            return RequestIdGeneration.open(dir, start, perGeneration);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "request ids: cannot open {0} ({1}); deleted it: retries of the reports it "
                    + "held count again", RequestIdGeneration.fileFor(dir, start), String.valueOf(e.getMessage()));
            RequestIdGeneration.deleteFiles(RequestIdGeneration.fileFor(dir, start));
            return null;
        }
    }

    /** True the first time {@code requestId} is seen (then it is remembered), false for a repeat. */
    public boolean firstTime(String requestId, long nowMillis) {
        byte[] digest = digest(requestId);
        for (int attempt = 0; ; attempt++) {
            lock.readLock().lock();
            try {
                if (attempt > 0 || !rotationDue(nowMillis)) {
                    long before = previous == null ? -1 : previous.seenAt(digest);
                    if (before >= 0 && nowMillis - before < retentionMillis) {
                        return false;
                    }
                    return current.add(digest, nowMillis);
                }
            } finally {
                lock.readLock().unlock();
            }
            rotateIfDue(nowMillis);
        }
    }

    /** Rotates the generations when the current one has been current for the retention. */
    public void expire(long nowMillis) {
        rotateIfDue(nowMillis);
    }

    /** Ids held in both generations. */
    public long size() {
        lock.readLock().lock();
        try {
            return current.size() + (previous == null ? 0 : previous.size());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The most ids held. */
    public long capacity() {
        return generationCapacity * 2;
    }

    /** Rotations forced by a full generation (retention shortened), since start. */
    public long earlyRotations() {
        return earlyRotations.get();
    }

    private boolean rotationDue(long nowMillis) {
        return current.full() || nowMillis - current.startMillis() >= retentionMillis;
    }

    private void rotateIfDue(long nowMillis) {
        lock.writeLock().lock();
        try {
            if (!rotationDue(nowMillis)) {
                return;
            }
            if (current.full() && nowMillis - current.startMillis() < retentionMillis) {
                earlyRotations.incrementAndGet();
            }
            long start = Math.max(nowMillis, current.startMillis() + 1); // a new file name, also within one ms
            RequestIdGeneration next = RequestIdGeneration.open(dir, start, generationCapacity);
            if (previous != null) {
                previous.delete();
            }
            previous = current;
            current = next;
        } catch (IOException e) {
            throw new UncheckedIOException("request ids: cannot start a new generation in " + dir, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static byte[] digest(String requestId) {
        try {
            byte[] full = MessageDigest.getInstance("SHA-256").digest(requestId.getBytes(StandardCharsets.UTF_8));
            return java.util.Arrays.copyOf(full, RequestIdGeneration.DIGEST_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public void close() throws IOException {
        lock.writeLock().lock();
        try {
            current.close();
            if (previous != null) {
                previous.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
