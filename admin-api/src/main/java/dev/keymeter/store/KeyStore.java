package dev.keymeter.store;

import java.util.function.Function;

/**
 * The control plane's durable state. Work runs inside a callback that sees one consistent
 * transaction: {@link #write} commits when the callback returns and rolls back when it throws; a
 * commit is durable (survives a crash of the process) before {@code write} returns.
 */
public interface KeyStore extends AutoCloseable {

    /** Runs {@code work} in a read-write transaction and commits it. Exceptions roll back and propagate. */
    <T> T write(Function<StoreWriter, T> work);

    /** Runs {@code work} in a read-only transaction that sees one consistent state. */
    <T> T read(Function<StoreReader, T> work);

    /**
     * Like {@link #read}, for a long read that goes at someone else's pace (a replication snapshot of
     * every key, streamed as fast as a sidecar takes it): an implementation that can runs it apart
     * from other reads, so that they do not wait behind it. By default, {@link #read}.
     */
    default <T> T readDetached(Function<StoreReader, T> work) {
        return read(work);
    }

    /**
     * Deletes change-log rows at or below {@code revision}, which becomes the
     * {@link StoreReader#oldestServableRevision() oldest servable revision}: replicas behind it need
     * a snapshot. Returns the number of rows deleted.
     *
     * @throws IllegalArgumentException if {@code revision} is above the current revision
     */
    int compactChangesThrough(long revision);

    /**
     * True when other processes may write this store too (several control planes on one PostgreSQL
     * database): their changes reach this process through {@link #awaitChange}, not through its own
     * commit listener.
     */
    default boolean shared() {
        return false;
    }

    /**
     * Waits up to {@code timeoutMillis} for a sign that another process committed a key change, and
     * returns early on one; a store that is not {@link #shared} just waits. Only a sign: the caller
     * reads the current revision afterwards, and must poll anyway (a sign can be lost). Called by one
     * thread.
     */
    default void awaitChange(long timeoutMillis) throws InterruptedException {
        Thread.sleep(timeoutMillis);
    }

    @Override
    void close();
}
