package dev.keymeter.replication;

import dev.keymeter.store.KeyStore;
import dev.keymeter.store.StoreReader;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps the change log bounded: each time {@code every} revisions have passed, deletes the changes
 * older than the newest {@code retain} revisions. A sidecar behind that gets a snapshot instead of
 * changes (a stream already serving it notices at its next read and sends one).
 *
 * <p>Hears commits through the {@link RevisionNotifier} on the committing thread, and compacts on a
 * thread of its own so that the admin call that crossed the mark does not wait for it; at most one
 * compaction is queued at a time.
 */
final class ChangeLogCompaction implements AutoCloseable {

    private static final Logger LOG = System.getLogger("keymeter.replication");

    private final KeyStore store;
    private final RevisionNotifier notifier;
    private final long retain;
    private final long every;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "keymeter-compaction");
        thread.setDaemon(true);
        return thread;
    });
    private final Runnable wakeUp = this::committed;
    private volatile long lastCompactedAt;

    ChangeLogCompaction(KeyStore store, RevisionNotifier notifier, long retain, long every) {
        this.store = store;
        this.notifier = notifier;
        this.retain = retain;
        this.every = every;
        this.lastCompactedAt = notifier.latest();
        notifier.subscribe(wakeUp);
    }

    private void committed() {
        if (notifier.latest() - lastCompactedAt < every || !queued.compareAndSet(false, true)) {
            return;
        }
        try {
            worker.execute(this::compact);
        } catch (RejectedExecutionException closing) {
            queued.set(false);
        }
    }

    /** Compacts through {@code latest - retain} if that is above the floor; returns rows deleted. */
    int compact() {
        try {
            long latest = notifier.latest();
            lastCompactedAt = latest;
            long through = latest - retain;
            if (through <= 0 || through <= store.read(StoreReader::oldestServableRevision)) {
                return 0;
            }
            int deleted = store.compactChangesThrough(through);
            LOG.log(Level.INFO, "replication: compacted the change log through revision {0} ({1} changes)",
                    Long.toString(through), Integer.toString(deleted));
            return deleted;
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "replication: change-log compaction failed: {0}", e.toString());
            return 0;
        } finally {
            queued.set(false);
        }
    }

    @Override
    public void close() {
        notifier.unsubscribe(wakeUp);
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
