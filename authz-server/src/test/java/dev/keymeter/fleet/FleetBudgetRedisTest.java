package dev.keymeter.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.quota.BudgetProbe;
import dev.keymeter.quota.FleetBudget;
import dev.keymeter.quota.FleetSync;
import dev.keymeter.quota.HeapCounterCells;
import dev.keymeter.quota.PeriodBudget;
import dev.keymeter.keys.ResetPeriod;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two sidecars' token budgets for one key, shared through a real {@code redis-server} that is killed
 * mid-run and restarted empty: while it is down both keep answering from what they hold (then one
 * outage share each), and once it is back each re-asserts its absolute figures, so the fleet's count
 * in Redis is exactly what the two committed — nothing lost, nothing counted twice.
 */
class FleetBudgetRedisTest {

    private static final long LIMIT = 100_000;

    /** One sidecar's side: its local budget and its fleet sync, ticked by the test. */
    private static final class Side implements AutoCloseable {
        final RedisFleetStore store;
        final FleetSync sync;
        final PeriodBudget local = new PeriodBudget(new HeapCounterCells(PeriodBudget.CELLS), 0, ResetPeriod.DAILY);

        Side(RedisServer redis, String id) {
            store = RedisFleetStore.start(BudgetsStore.parse(redis.uri()));
            sync = new FleetSync(store, new FleetSync.Settings(id, 40, 200, 3_000, 400), System::currentTimeMillis);
        }

        FleetBudget budget() {
            return sync.budgetOf("key_r", 0, FleetBudget.Kind.TOKENS, LIMIT, ResetPeriod.DAILY, local,
                    System.currentTimeMillis());
        }

        /** One request of {@code tokens}, admitted and settled at its estimate; true when admitted. */
        boolean spend(long tokens) {
            long now = System.currentTimeMillis();
            FleetBudget b = budget();
            BudgetProbe p = local.tryReserve(now, tokens, b.limitFor(now, tokens));
            if (!p.admitted()) {
                b.refused();
                return false;
            }
            if (!b.fits(now, p.used() + p.reserved(), tokens)) {
                local.settle(now, p, 0);
                return false;
            }
            local.settle(now, p, tokens);
            b.changed();
            return true;
        }

        long committed() {
            return local.snapshot(System.currentTimeMillis()).committed();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    @Test
    void redisKilledAndRestartedEmpty_budgetsDegradeThenReassertTheExactFleetUsage() throws Exception {
        try (RedisServer redis = RedisServer.start(); Side a = new Side(redis, "a"); Side b = new Side(redis, "b")) {
            await("both connected", () -> a.store.connected() && b.store.connected());
            for (int round = 0; round < 40; round++) {
                a.spend(500);
                b.spend(700);
                tick(a, b);
            }
            await("both report what they committed", () -> {
                tick(a, b);
                return fleetUsed(a) == a.committed() + b.committed() && fleetUsed(b) == fleetUsed(a);
            });
            long before = a.committed() + b.committed();
            assertTrue(before > 0 && before <= LIMIT, "spent " + before);

            redis.kill();
            await("both notice Redis is gone", () -> {
                tick(a, b);
                return a.sync.degraded() && b.sync.degraded();
            });
            int admittedDuringOutage = 0;
            for (int i = 0; i < 200; i++) {
                admittedDuringOutage += (a.spend(500) ? 1 : 0) + (b.spend(700) ? 1 : 0);
                tick(a, b);
            }
            long afterOutage = a.committed() + b.committed();
            assertTrue(afterOutage <= 2 * LIMIT, "an outage adds at most L: " + afterOutage);

            redis.restart(); // empty: everything it held is gone
            await("both re-assert their figures", () -> {
                tick(a, b);
                return !a.sync.degraded() && fleetUsed(a) == a.committed() + b.committed()
                        && fleetUsed(b) == fleetUsed(a);
            });
            assertEquals(a.committed() + b.committed(), fleetUsed(a), "nothing lost, nothing counted twice");
            System.out.printf("budget through a Redis restart: %d before, %d after (%d requests admitted while it was"
                    + " down), fleet count %d%n", before, afterOutage, admittedDuringOutage, fleetUsed(a));
        }
    }

    private static void tick(Side a, Side b) throws InterruptedException {
        a.sync.tick();
        b.sync.tick();
        Thread.sleep(10);
    }

    /** The fleet's used amount in a side's last answer, read back through what it reports remaining. */
    private static long fleetUsed(Side s) {
        FleetBudget b = s.sync.existingBudget("key_r", FleetBudget.Kind.TOKENS);
        return b == null ? -1 : b.fleetUsedAtLastAnswer();
    }

    private static void await(String what, ThrowingCondition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @FunctionalInterface
    private interface ThrowingCondition {
        boolean holds() throws Exception;
    }
}
