package dev.keymeter.quota;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of {@link RollingWindow} against its own sequential behaviour, explored by
 * Lincheck's model checker (every interleaving of the CAS loops up to its bounds) and by a stress
 * run. Times straddle the window's edges (59.999 s, 60 s, 61 s, 121 s) with a small limit, so
 * head advances, slot write-backs, stale clocks and last-permit races all occur.
 */
@Param(name = "time", gen = IntGen.class, conf = "0:5")
public class RollingWindowLincheckTest {

    private static final long[] TIMES = {0, 999, 59_999, 60_000, 61_000, 121_500};
    private static final long LIMIT = 2;

    private final RollingWindow window = new RollingWindow(new HeapCounterCells(RollingWindow.CELLS), 0);

    @Operation
    public RateProbe tryAcquire(@Param(name = "time") int time) {
        return window.tryAcquire(TIMES[time], LIMIT);
    }

    @Operation
    public long peek(@Param(name = "time") int time) {
        return window.peek(TIMES[time]);
    }

    @Test
    void modelChecking_isLinearizable() {
        new ModelCheckingOptions()
                .iterations(30)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(3)
                // Counting the window reads 61 cells in a loop; not a spin loop.
                .loopBound(200)
                .check(getClass());
    }

    @Test
    void stress_isLinearizable() {
        new StressOptions()
                .iterations(20)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(3)
                .check(getClass());
    }
}
