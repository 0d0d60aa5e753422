package dev.keymeter.quota;

import dev.keymeter.keys.ResetPeriod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link FleetBudget} step by step on a virtual clock: the first request of a period, what a sync
 * asks for, the idle release, the lease renewal, the outage share and a period change.
 */
class FleetBudgetTest {

    private static final long DAY = 86_400_000L;
    private long now = 20_833 * DAY + 3_600_000L;
    private final PeriodBudget local = new PeriodBudget(new HeapCounterCells(PeriodBudget.CELLS), 0, ResetPeriod.DAILY);
    private final FleetBudget budget = new FleetBudget("key", 0, FleetBudget.Kind.TOKENS, ResetPeriod.DAILY, 64_000,
            local, now);

    /** Admits as FleetAdmission does; true when admitted. */
    private boolean admit(long estimate) {
        BudgetProbe p = local.tryReserve(now, estimate, budget.limitFor(now, estimate));
        if (!p.admitted()) {
            budget.refused();
            return false;
        }
        if (!budget.fits(now, p.used() + p.reserved(), estimate)) {
            local.settle(now, p, 0);
            return false;
        }
        return true;
    }

    /** Runs one sync whose store grants {@code allotment}. */
    private FleetBudget.Capture sync(long allotment) {
        assertTrue(budget.startSync(now));
        FleetBudget.Capture c = budget.capture(now, 2, false);
        budget.apply(c, allotment, allotment, c.used(), now);
        return c;
    }

    @Test
    void withoutAnAllotment_admitsOneRequestOfThePeriod_thenWantsOne() {
        assertTrue(budget.due(now, 25, 2), "a new budget syncs at once");
        assertTrue(admit(5_000), "the first request needs no sync");
        assertFalse(admit(5_000), "the second waits for an allotment");

        FleetBudget.Capture c = sync(20_000);

        assertEquals(5_000, c.used());
        assertEquals(20_000, c.want(), "4 × what it committed since the last answer; above 2 × the largest"
                + " estimate and L / (64·N) = 500");
        assertTrue(admit(5_000) && admit(5_000) && admit(5_000));
        assertFalse(admit(5_000), "20,000 held, 20,000 committed");
    }

    @Test
    void idle_releasesAllButOneRequest_thenEverythingOnceForgotten() {
        admit(1_000);
        sync(30_000);
        now += FleetBudget.IDLE_RELEASE_MILLIS + 1;
        assertTrue(budget.due(now, 25, 2), "idle and holding 29,000 it does not use");

        FleetBudget.Capture release = sync(2_000);

        assertEquals(2_000, release.keep(), "keeps its 1,000 committed and one request of 1,000");
        assertEquals(0, release.want());
        assertEquals(1_000, budget.stranded(now));
        assertFalse(budget.due(now + 1_000, 25, 2), "nothing more to give back");

        now += FleetBudget.FORGET_MILLIS;
        assertTrue(budget.due(now, 25, 2));
        assertEquals(1_000, sync(1_000).keep(), "an hour idle: gives back all it does not use");
        assertEquals(0, budget.stranded(now));
    }

    @Test
    void holdingUnusedAllotment_renewsItsLeaseBeforeItLapses() {
        admit(1_000);
        sync(3_000);
        now += FleetBudget.IDLE_RELEASE_MILLIS + 1;
        sync(2_000); // the idle release leaves 1,000 unused
        assertFalse(budget.due(now + 1_000, 25, 2));

        now += FleetBudget.LEASE_MILLIS / 3;

        assertTrue(budget.due(now, 25, 2), "renews before the store lets the allotment lapse");
    }

    @Test
    void outage_addsOneShareOfWhatTheFleetHadLeft() {
        admit(1_000);
        assertTrue(budget.startSync(now));
        FleetBudget.Capture c = budget.capture(now, 2, false);
        budget.apply(c, 4_000, 44_000, 30_000, now); // the fleet has committed 44,000 of 64,000

        budget.takeOutageShare(now, 2);
        budget.takeOutageShare(now, 2);

        assertEquals(4_000 + (64_000 - 44_000) / 2, budget.allotmentIn(ResetPeriod.DAILY.indexAt(now)), "once");
    }

    @Test
    void newPeriod_startsWithoutAnAllotment() {
        admit(1_000);
        sync(10_000);
        now = (now / DAY + 1) * DAY + 1;

        assertEquals(-1, budget.allotmentIn(ResetPeriod.DAILY.indexAt(now)));
        assertTrue(admit(8_000), "the first request of the new period");
        assertFalse(admit(1), "then an allotment for the new period first");
    }
}
