package dev.keymeter.quota;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@link CounterCells} on the Java heap, backed by an {@link AtomicLongArray}: every operation is a
 * volatile access or a strong atomic read-modify-write, as the interface requires. Thread-safe.
 * Cells start at zero.
 */
public final class HeapCounterCells implements CounterCells {

    private final AtomicLongArray cells;

    public HeapCounterCells(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        this.cells = new AtomicLongArray(size);
    }

    @Override
    public int size() {
        return cells.length();
    }

    @Override
    public long getVolatile(int i) {
        return cells.get(i);
    }

    @Override
    public void setVolatile(int i, long v) {
        cells.set(i, v);
    }

    @Override
    public boolean compareAndSet(int i, long expect, long update) {
        return cells.compareAndSet(i, expect, update);
    }

    @Override
    public long getAndAdd(int i, long delta) {
        return cells.getAndAdd(i, delta);
    }
}
