package dev.keymeter.quota;

import java.util.Objects;
import net.openhft.chronicle.core.UnsafeMemory;

/**
 * {@link CounterCells} directly on one entry's value in a {@link ChronicleCounterStore}'s mapped
 * file: {@link KeyQuota#CELLS} little-endian 64-bit words starting at an 8-byte aligned native
 * address. Every operation is one atomic instruction on that memory, no lock and no Chronicle
 * call; see {@link ChronicleCounterStore} for why that keeps the {@link CounterCells} contract.
 *
 * <p>Chronicle Core's {@code UnsafeMemory} methods used here are, in chronicle-core 2026.3 (checked
 * in its bytecode), thin wrappers over {@code sun.misc.Unsafe} with a {@code null} base:
 * {@code readVolatileLong} → {@code getLongVolatile}, {@code writeVolatileLong} →
 * {@code putLongVolatile}, {@code compareAndSwapLong} → {@code compareAndSwapLong} (after an
 * alignment check), {@code addLong} → {@code getAndAddLong(..) + delta}.
 *
 * <p>The index is always checked: a write past the last cell would land in another key's entry.
 * Using cells after their store is closed throws {@link IllegalStateException} (best effort: an
 * operation that races with {@link ChronicleCounterStore#close} can still touch unmapped memory,
 * so stop the users of the cells before closing the store).
 */
final class ChronicleCounterCells implements CounterCells {

    private static final UnsafeMemory MEMORY = UnsafeMemory.MEMORY;

    private final ChronicleCounterStore store;
    private final long address;

    ChronicleCounterCells(ChronicleCounterStore store, long address) {
        if ((address & (Long.BYTES - 1)) != 0) {
            throw new IllegalStateException("counter cells at 0x" + Long.toHexString(address)
                    + " are not 8-byte aligned: atomic 64-bit access needs aligned words");
        }
        this.store = store;
        this.address = address;
    }

    /** Where cell 0 lives; for tests (two views of one entry share it). */
    long address() {
        return address;
    }

    private long at(int i) {
        Objects.checkIndex(i, KeyQuota.CELLS);
        store.requireOpen();
        return address + ((long) i << 3);
    }

    @Override
    public int size() {
        return KeyQuota.CELLS;
    }

    @Override
    public long getVolatile(int i) {
        return MEMORY.readVolatileLong(at(i));
    }

    @Override
    public void setVolatile(int i, long v) {
        MEMORY.writeVolatileLong(at(i), v);
    }

    @Override
    public boolean compareAndSet(int i, long expect, long update) {
        return MEMORY.compareAndSwapLong(at(i), expect, update);
    }

    @Override
    public long getAndAdd(int i, long delta) {
        return MEMORY.addLong(at(i), delta) - delta;
    }
}
