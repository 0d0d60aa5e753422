package dev.keymeter.replication;

import dev.keymeter.store.KeyStore;
import dev.keymeter.store.StoreReader;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * Brings the commits of other control planes sharing the store to this one's
 * {@link RevisionNotifier}, so that Watch streams connected here send them: a thread waits for the
 * store's sign of a change ({@link KeyStore#awaitChange}, PostgreSQL's NOTIFY) or for
 * {@link #POLL_MILLIS}, whichever comes first, then reads the current revision and reports it when it
 * is new. The poll is the truth; the sign only makes it early (a NOTIFY is lost while the listening
 * connection is down). Runs only for a {@link KeyStore#shared} store.
 */
final class RevisionFeed implements AutoCloseable {

    private static final Logger LOG = System.getLogger("keymeter.replication");
    /** The longest a change made elsewhere waits to reach this control plane's streams. */
    static final long POLL_MILLIS = 1_000;

    private final KeyStore store;
    private final RevisionNotifier notifier;
    private final Thread thread;
    private volatile boolean closed;

    RevisionFeed(KeyStore store, RevisionNotifier notifier) {
        this.store = Objects.requireNonNull(store, "store");
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.thread = new Thread(this::run, "keymeter-revision-feed");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        String lastFailure = null;
        while (!closed) {
            try {
                store.awaitChange(POLL_MILLIS);
                long current = store.read(StoreReader::currentRevision);
                if (current > notifier.latest()) {
                    notifier.committed(current);
                }
                if (lastFailure != null) {
                    LOG.log(Level.INFO, "replication: the store answers again; following its changes");
                    lastFailure = null;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                if (!why.equals(lastFailure)) {
                    LOG.log(Level.WARNING, "replication: cannot read the store's revision ({0}); retrying every {1} ms",
                            why, Long.toString(POLL_MILLIS));
                    lastFailure = why;
                }
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
