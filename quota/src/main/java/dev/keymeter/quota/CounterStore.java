package dev.keymeter.quota;

/**
 * Where the counter cells of every key live: {@link KeyQuota#CELLS} cells per key and usage epoch,
 * created zeroed on first use and never removed (a flyweight over removed memory could point at
 * another key's counters — design §5). A new usage epoch (an administrative reset) is a fresh set of
 * cells, so a reset never races with the lock-free counters.
 *
 * <p>Implementations are thread-safe; {@link #cellsFor} is on the Check hot path and must not block.
 */
public interface CounterStore extends AutoCloseable {

    /**
     * The cells of {@code keyId} in {@code usageEpoch}, created zeroed if they do not exist yet.
     *
     * @throws CounterStoreFullException when the store has no room for another key
     */
    CounterCells cellsFor(String keyId, long usageEpoch);

    /** The cells of {@code keyId} in {@code usageEpoch}, or {@code null} if none were created; creates nothing. */
    CounterCells existing(String keyId, long usageEpoch);

    /** Keys (with their epochs) that have cells. */
    long size();

    /** The most keys (with their epochs) the store can hold. */
    long capacity();

    @Override
    void close();
}
