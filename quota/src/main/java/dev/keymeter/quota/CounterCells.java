package dev.keymeter.quota;

/**
 * A fixed number of 64-bit cells addressed by index: the storage the lock-free counters in this
 * package ({@link RollingWindow}, {@link PeriodBudget}) run on, so that the same algorithms can run
 * on heap memory today and on Chronicle off-heap memory later.
 *
 * <p><b>Contract every implementation must keep</b> (the counters' correctness arguments rely on
 * it, word for word):
 * <ul>
 *   <li>Each cell is read and written as one indivisible 64-bit word: no torn reads or writes.</li>
 *   <li>{@link #getVolatile}, {@link #setVolatile}, {@link #compareAndSet} and {@link #getAndAdd}
 *       have Java {@code volatile} semantics: all of them, on all cells, take part in one total
 *       order consistent with each thread's program order (sequential consistency for these
 *       accesses), as {@link java.util.concurrent.atomic.AtomicLongArray} gives.</li>
 *   <li>{@link #compareAndSet} is a strong CAS: it fails only when the cell did not hold
 *       {@code expect} (no spurious failure), and {@link #getAndAdd} never loses an update.</li>
 * </ul>
 * An off-heap implementation (a cached Chronicle native flyweight, shared across processes) must
 * give the same atomicity and ordering, with 8-byte aligned cells, and must never be pointed at
 * memory that can be freed or moved: design §5 — lock-free counters on Chronicle memory are sound
 * only if their entries are never removed and entry checksums are off.
 */
public interface CounterCells {

    /** Number of cells; valid indices are {@code 0 .. size() - 1}. */
    int size();

    /** Reads cell {@code i} with volatile semantics. */
    long getVolatile(int i);

    /** Writes cell {@code i} with volatile semantics. */
    void setVolatile(int i, long v);

    /** Atomically sets cell {@code i} to {@code update} if it holds {@code expect}; volatile semantics. */
    boolean compareAndSet(int i, long expect, long update);

    /** Atomically adds {@code delta} to cell {@code i} and returns the previous value; volatile semantics. */
    long getAndAdd(int i, long delta);
}
