package dev.keymeter.replication;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells whoever waits for commits that the store has moved on, so that Watch streams park until
 * there is something to send instead of polling the database.
 *
 * <p>{@link #committed} is called on the committing thread right after each commit; it raises
 * {@link #latest()} and runs every subscriber's wake-up, which must be quick and never block (a
 * Watch stream's only sets a flag and signals its own thread). A wake-up carries no revision: the
 * woken side reads {@link #latest()} and then the store, so several commits that arrive while a
 * stream is busy cost it one read. Thread-safe; a subscriber added during a {@code committed} call
 * may or may not hear that call, but reads {@link #latest()} after subscribing.
 */
public final class RevisionNotifier {

    private final AtomicLong latest;
    private final Set<Runnable> subscribers = ConcurrentHashMap.newKeySet();

    /** @param initialRevision the store's current revision when the control plane starts */
    public RevisionNotifier(long initialRevision) {
        this.latest = new AtomicLong(initialRevision);
    }

    /** A commit up to {@code revision} is durable: wake every subscriber. */
    public void committed(long revision) {
        latest.accumulateAndGet(revision, Math::max);
        for (Runnable subscriber : subscribers) {
            subscriber.run();
        }
    }

    /** The highest revision reported committed (or the initial revision). */
    public long latest() {
        return latest.get();
    }

    public void subscribe(Runnable wakeUp) {
        subscribers.add(Objects.requireNonNull(wakeUp, "wakeUp"));
    }

    public void unsubscribe(Runnable wakeUp) {
        subscribers.remove(wakeUp);
    }

    int subscriberCount() {
        return subscribers.size();
    }
}
