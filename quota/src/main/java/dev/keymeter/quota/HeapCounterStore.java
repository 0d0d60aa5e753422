package dev.keymeter.quota;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link CounterStore} on the Java heap: for tests and benchmarks, and for processes that need no
 * persistence. Lost when the process ends. Thread-safe.
 */
public final class HeapCounterStore implements CounterStore {

    private record Id(String keyId, long epoch) {
    }

    private final ConcurrentHashMap<Id, CounterCells> cells = new ConcurrentHashMap<>();
    private final long capacity;

    public HeapCounterStore(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public CounterCells cellsFor(String keyId, long usageEpoch) {
        Id id = new Id(keyId, usageEpoch);
        CounterCells found = cells.get(id);
        if (found != null) {
            return found;
        }
        if (cells.size() >= capacity) {
            throw new CounterStoreFullException(capacity);
        }
        return cells.computeIfAbsent(id, k -> new HeapCounterCells(KeyQuota.CELLS));
    }

    @Override
    public CounterCells existing(String keyId, long usageEpoch) {
        return cells.get(new Id(keyId, usageEpoch));
    }

    @Override
    public long size() {
        return cells.size();
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public void close() {
    }
}
