package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of {@link PeriodBudget}'s decisions and resets against its own sequential
 * behaviour (Lincheck model checking and stress). Times straddle a UTC day boundary, so concurrent
 * resets, late adds and settles of stale reservations all occur. Operations return the exact parts
 * of the state (admission, remaining, committed); the used/reserved split is display-only and
 * checked by {@code PeriodBudgetConcurrencyTest} once threads are quiet.
 */
@Param(name = "time", gen = IntGen.class, conf = "0:2")
@Param(name = "amount", gen = IntGen.class, conf = "0:3")
public class PeriodBudgetLincheckTest {

    private static final long DAY = 86_400_000L;
    private static final long[] TIMES = {DAY - 1, DAY, 2 * DAY};
    private static final long LIMIT = 4;

    private final PeriodBudget budget = new PeriodBudget(new HeapCounterCells(PeriodBudget.CELLS), 0, ResetPeriod.DAILY);

    @Operation
    public long tryReserve(@Param(name = "time") int time, @Param(name = "amount") int estimate) {
        BudgetProbe p = budget.tryReserve(TIMES[time], estimate, LIMIT);
        return p.admitted() ? p.remaining() : -1 - p.remaining();
    }

    /**
     * Settles a reservation of 2 made on day 0: live while the budget is still on day 0, stale
     * (dropped, actual charged to the current day) after the boundary.
     */
    @Operation
    public void settle(@Param(name = "time") int time, @Param(name = "amount") int actual) {
        budget.settle(TIMES[time], 2, TIMES[0], actual);
    }

    @Operation
    public void add(@Param(name = "time") int time, @Param(name = "amount") int amount) {
        budget.add(TIMES[time], amount);
    }

    @Operation
    public long committed(@Param(name = "time") int time) {
        BudgetUsage u = budget.snapshot(TIMES[time]);
        return (u.used() + u.reserved()) * 1000 + u.periodStartMillis() / DAY;
    }

    @Test
    void modelChecking_isLinearizable() {
        new ModelCheckingOptions()
                .iterations(30)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(3)
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
