package dev.keymeter.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The 24-hour usage history, fed through the board as ReportUsage feeds it, on a clock moved by
 * hand: increases between reports, sidecars adding up, period and usage resets, sidecar restarts,
 * buckets ageing out, and the bound on keys.
 */
class UsageHistoryTest {

    /** A quarter hour plus 5 minutes: reports below land in bucket 10:15. */
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:20:00Z"));
    private final UsageBoard board = new UsageBoard(clock, new UsageBoard.Bounds(100, 1_000));
    private static final Instant DAY = Instant.parse("2026-12-07T00:00:00Z");

    /** Cumulative figures of one sidecar as it reports them now, in the period that started at {@code periodStart}. */
    private boolean report(String key, String sidecar, Instant periodStart, long requests, long tokens, long cost) {
        return board.record(key, sidecar, new UsageBoard.Figures(null, periodStart, tokens, 0, cost, 0, 0, 0,
                requests, clock.instant()));
    }

    private List<UsageHistory.Sample> samples(String key) {
        return board.history().samples(key, clock.instant());
    }

    private UsageHistory.Sample current(String key) {
        List<UsageHistory.Sample> s = samples(key);
        return s.get(s.size() - 1);
    }

    private static void assertSample(long requests, long tokens, long cost, UsageHistory.Sample s) {
        assertEquals(List.of(requests, tokens, cost), List.of(s.requests(), s.tokens(), s.costMicroUsd()), s.toString());
    }

    @Test
    void samples_ofAnyKey_are96QuarterHoursOldestFirstEndingWithTheCurrentOne() {
        List<UsageHistory.Sample> s = samples("key_none");

        assertEquals(96, s.size());
        assertEquals(Instant.parse("2026-12-07T10:15:00Z"), s.get(95).start());
        assertEquals(Instant.parse("2026-12-06T10:30:00Z"), s.get(0).start());
        for (int i = 1; i < s.size(); i++) {
            assertEquals(Duration.ofMinutes(15), Duration.between(s.get(i - 1).start(), s.get(i).start()));
            assertSample(0, 0, 0, s.get(i));
        }
    }

    @Test
    void record_firstReportOfAPair_isOnlyTheBaseline() {
        report("key_a", "sc-1", DAY, 40, 4_000, 900);

        assertSample(0, 0, 0, current("key_a"));
        assertEquals(0, board.history().keys(), "nothing to hold yet");
    }

    @Test
    void record_laterReports_addTheirIncreaseToTheBucketOfTheirTime() {
        report("key_a", "sc-1", DAY, 40, 4_000, 900);
        clock.advance(Duration.ofSeconds(5));
        report("key_a", "sc-1", DAY, 43, 4_500, 1_000);
        clock.advance(Duration.ofSeconds(5));
        report("key_a", "sc-1", DAY, 45, 4_600, 1_020);
        clock.advance(Duration.ofMinutes(15)); // next bucket: 10:30
        report("key_a", "sc-1", DAY, 46, 4_700, 1_050);

        List<UsageHistory.Sample> s = samples("key_a");
        assertSample(5, 600, 120, s.get(94));
        assertSample(1, 100, 30, s.get(95));
        assertEquals(Instant.parse("2026-12-07T10:30:00Z"), s.get(95).start());
    }

    @Test
    void record_twoSidecars_increasesAddUp() {
        report("key_a", "sc-1", DAY, 10, 1_000, 100);
        report("key_a", "sc-2", DAY, 7, 50_000, 9_000);
        clock.advance(Duration.ofSeconds(5));
        report("key_a", "sc-1", DAY, 12, 1_300, 130);
        report("key_a", "sc-2", DAY, 10, 50_200, 9_040);

        assertSample(5, 500, 70, current("key_a"));
    }

    @Test
    void record_newPeriod_countsTheNewPeriodsFiguresInFull() {
        Instant tomorrow = DAY.plus(Duration.ofDays(1));
        clock.advance(Duration.between(clock.instant(), tomorrow.minusSeconds(2)));
        report("key_a", "sc-1", DAY, 100, 90_000, 5_000);
        clock.advance(Duration.ofSeconds(5)); // 00:00:03, a new daily period: the counters start again
        report("key_a", "sc-1", tomorrow, 103, 700, 40);

        assertSample(3, 700, 40, current("key_a"));
    }

    @Test
    void record_usageResetByAnAdministrator_countsTheFreshCountersInFull() {
        Instant reset = clock.instant();
        board.record("key_a", "sc-1", new UsageBoard.Figures(null, null, 8_000, 0, 800, 0, 0, 0, 20, clock.instant()));
        clock.advance(Duration.ofSeconds(5));
        board.record("key_a", "sc-1", new UsageBoard.Figures(reset, null, 9_000, 0, 900, 0, 0, 0, 21, clock.instant()));

        assertSample(1, 9_000, 900, current("key_a"));
    }

    @Test
    void record_sidecarRestartedUnderItsId_figuresDrop_countsTheNewFiguresInFull() {
        report("key_a", "sc-1", DAY, 500, 80_000, 6_000);
        clock.advance(Duration.ofSeconds(5));
        report("key_a", "sc-1", DAY, 510, 80_100, 6_010);
        clock.advance(Duration.ofSeconds(30)); // restarted without its counters: everything from zero
        report("key_a", "sc-1", DAY, 4, 300, 25);
        clock.advance(Duration.ofSeconds(5));
        report("key_a", "sc-1", DAY, 6, 350, 30);

        assertSample(10 + 4 + 2, 100 + 300 + 50, 10 + 25 + 5, current("key_a"));
    }

    @Test
    void record_olderReportThanTheOneHeld_addsNothing() {
        Instant earlier = clock.instant();
        report("key_a", "sc-1", DAY, 10, 100, 10);
        clock.advance(Duration.ofSeconds(5));
        report("key_a", "sc-1", DAY, 12, 200, 20);
        board.record("key_a", "sc-1", new UsageBoard.Figures(null, DAY, 150, 0, 15, 0, 0, 0, 11, earlier));

        assertSample(2, 100, 10, current("key_a"));
    }

    @Test
    void record_sidecarWithoutRequestTotal_addsTokensAndCostOnly() {
        board.record("key_a", "old", new UsageBoard.Figures(null, DAY, 100, 0, 10, 0, 4, 0, clock.instant()));
        clock.advance(Duration.ofSeconds(5));
        board.record("key_a", "old", new UsageBoard.Figures(null, DAY, 160, 0, 16, 0, 6, 0, clock.instant()));

        assertSample(0, 60, 6, current("key_a"));
    }

    @Test
    void samples_after24Hours_haveAgedOut_andAnOldBucketNeverReturnsAsANewOne() {
        report("key_a", "sc-1", DAY, 0, 0, 0);
        clock.advance(Duration.ofSeconds(5));
        report("key_a", "sc-1", DAY, 9, 900, 90);
        assertEquals(9, samples("key_a").stream().mapToLong(UsageHistory.Sample::requests).sum());

        clock.advance(Duration.ofHours(23).plusMinutes(50)); // 10:15 bucket is still the oldest shown
        assertSample(9, 900, 90, samples("key_a").get(0));
        clock.advance(Duration.ofMinutes(10)); // 10:25 the next day: 10:15 has left the window
        assertEquals(0, samples("key_a").stream().mapToLong(UsageHistory.Sample::requests).sum());

        report("key_a", "sc-1", DAY.plus(Duration.ofDays(1)), 1, 10, 1); // a new period, counted in full
        assertSample(1, 10, 1, current("key_a"));
        assertEquals(1, samples("key_a").stream().mapToLong(UsageHistory.Sample::requests).sum(),
                "the slot the old bucket used starts from zero");
    }

    @Test
    void add_reportOlderThan24Hours_isDropped() {
        UsageHistory history = new UsageHistory(clock, 10);

        assertFalse(history.add("key_a", clock.instant().minus(Duration.ofHours(24)), new UsageIncrease(1, 1, 1)));
        assertTrue(history.add("key_a", clock.instant().minus(Duration.ofHours(23)), new UsageIncrease(1, 1, 1)));
        assertEquals(1, samples(history, "key_a").stream().mapToLong(UsageHistory.Sample::requests).sum());
    }

    @Test
    void add_pastTheKeyBound_isRefused_untilIdleKeysLeaveTheWindow() {
        UsageHistory history = new UsageHistory(clock, 2);
        UsageIncrease one = new UsageIncrease(1, 1, 1);
        assertTrue(history.add("key_a", clock.instant(), one));
        assertTrue(history.add("key_b", clock.instant(), one));

        assertFalse(history.add("key_c", clock.instant(), one), "a third key does not fit");
        assertEquals(1, history.refused());
        assertTrue(history.add("key_a", clock.instant(), one), "keys held are always updated");
        assertEquals(2, history.keys());

        clock.advance(Duration.ofHours(12));
        assertTrue(history.add("key_a", clock.instant(), one));
        clock.advance(Duration.ofHours(12).plusMinutes(15)); // key_b: nothing left in the window; key_a: still
        assertTrue(history.add("key_c", clock.instant(), one), "the idle key made room");
        assertEquals(2, history.keys());
        assertEquals(0, samples(history, "key_b").stream().mapToLong(UsageHistory.Sample::requests).sum());
        assertEquals(1, samples(history, "key_a").stream().mapToLong(UsageHistory.Sample::requests).sum());
    }

    @Test
    void board_boundsTheHistoryByItsOwnBound() {
        UsageBoard small = new UsageBoard(clock, new UsageBoard.Bounds(10, 1, 1));
        small.record("key_a", "sc-1", new UsageBoard.Figures(null, null, 1, 0, 0, 0, 0, 0, 1, clock.instant()));
        clock.advance(Duration.ofSeconds(5));
        small.record("key_a", "sc-1", new UsageBoard.Figures(null, null, 2, 0, 0, 0, 0, 0, 2, clock.instant()));

        assertFalse(small.history().add("key_b", clock.instant(), new UsageIncrease(1, 0, 0)));
        assertEquals(1, small.history().keys());
    }

    @Test
    void record_manySidecarsAtOnce_loseNoIncrease() throws Exception {
        int threads = 8;
        int reports = 2_000;
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String sidecar = "sc-" + t;
            done.add(pool.submit(() -> {
                gate.await();
                for (int i = 0; i <= reports; i++) { // report 0 is the baseline
                    board.record("key_a", sidecar, new UsageBoard.Figures(null, DAY, 2L * i, 0, 3L * i, 0, 0, 0, i,
                            clock.instant()));
                }
                return null;
            }));
        }
        gate.countDown();
        for (java.util.concurrent.Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        assertSample((long) threads * reports, 2L * threads * reports, 3L * threads * reports, current("key_a"));
    }

    private List<UsageHistory.Sample> samples(UsageHistory history, String key) {
        return history.samples(key, clock.instant());
    }
}
