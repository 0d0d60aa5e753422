package dev.keymeter.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.quota.FleetBudget;
import dev.keymeter.quota.FleetStore;
import dev.keymeter.quota.RollingWindow;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The two scripts against real Redis servers that the test starts: a standalone server and a
 * 3-master Cluster. What a sidecar relies on: counts merge with max() per sidecar and second, so a
 * replayed call changes nothing; the answer is the fleet's sum over the window; a key's counters
 * share one slot; membership counts live sidecars; a server that goes away fails commands at once
 * (never hangs a sync) and is used again once it is back.
 */
class RedisFleetStoreTest {

    private static final long T = 1_800_000_000L; // epoch seconds

    @Test
    void syncRequests_standalone_mergesWithMaxAndAnswersTheFleetSum() throws Exception {
        try (RedisServer redis = RedisServer.start();
                RedisFleetStore store = RedisFleetStore.start(BudgetsStore.parse(redis.uri()))) {
            awaitTrue(store::connected, "connected");
            assertScriptSemantics(store);
            long periodEnd = System.currentTimeMillis() + 3_600_000;
            assertBudgetScriptSemantics(store, periodEnd);
            long ttl = Long.parseLong(redis.command("PTTL",
                    RedisFleetStore.budgetKey("k", FleetBudget.Kind.TOKENS, 0, 5)).replace(":", "").trim());
            assertTrue(ttl > 24 * 3_600_000L && ttl <= 25 * 3_600_000L, "expires a day after its period: " + ttl);
        }
    }

    @Test
    void syncRequests_cluster_sameSemantics_andEveryKeyInOneSlot() throws Exception {
        try (RedisClusterServers cluster = RedisClusterServers.start();
                RedisFleetStore store = RedisFleetStore.start(BudgetsStore.parse(cluster.uri()))) {
            awaitTrue(store::connected, "connected");
            assertScriptSemantics(store);
            assertBudgetScriptSemantics(store, System.currentTimeMillis() + 3_600_000);
            String slotOfBudget = cluster.node(0).command("CLUSTER", "KEYSLOT",
                    RedisFleetStore.budgetKey("key_1", FleetBudget.Kind.COST, 3, 7));
            assertEquals(cluster.node(0).command("CLUSTER", "KEYSLOT", "{km:key_1}"), slotOfBudget);
            // Keys spread over the masters; each key's script touches one slot only (no CROSSSLOT).
            for (int k = 0; k < 20; k++) {
                String keyId = "key_" + k;
                assertEquals(3L, get(store.syncRequests(keyId, 0, "a", T, counts(60, 3))));
            }
            String slotOfRpm = cluster.node(0).command("CLUSTER", "KEYSLOT", RedisFleetStore.requestsKey("key_1", 0));
            String slotOfTag = cluster.node(0).command("CLUSTER", "KEYSLOT", "{km:key_1}");
            assertEquals(slotOfTag, slotOfRpm);
        }
    }

    @Test
    void heartbeat_countsLiveSidecars_andForgetsExpiredOnes() throws Exception {
        try (RedisServer redis = RedisServer.start();
                RedisFleetStore store = RedisFleetStore.start(BudgetsStore.parse(redis.uri()))) {
            awaitTrue(store::connected, "connected");
            assertEquals(1, get(store.heartbeat("a", 60_000)));
            assertEquals(2, get(store.heartbeat("b", 60_000)));
            assertEquals(2, get(store.heartbeat("a", 60_000)), "a heartbeat again is still one sidecar");
            assertEquals(3, get(store.heartbeat("c", 1)));
            awaitTrue(() -> get(store.heartbeat("a", 60_000)) == 2, "c expired after 1 ms");
        }
    }

    @Test
    void syncRequests_withPassword_authenticates() throws Exception {
        try (RedisServer redis = RedisServer.start("s3cret");
                RedisFleetStore store = RedisFleetStore.start(
                        BudgetsStore.parse("redis://:s3cret@127.0.0.1:" + redis.port()))) {
            awaitTrue(store::connected, "connected");
            assertEquals(2L, get(store.syncRequests("k", 0, "a", T, counts(60, 2))));
        }
    }

    @Test
    void redisKilledAndRestarted_commandsFailFast_thenWorkAgain() throws Exception {
        try (RedisServer redis = RedisServer.start();
                RedisFleetStore store = RedisFleetStore.start(BudgetsStore.parse(redis.uri()))) {
            awaitTrue(store::connected, "connected");
            assertEquals(5L, get(store.syncRequests("k", 0, "a", T, counts(60, 5))));

            redis.kill();
            long started = System.nanoTime();
            ExecutionException down = assertThrows(ExecutionException.class,
                    () -> get(store.syncRequests("k", 0, "a", T, counts(60, 6))));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis < 5_000, "a command to a dead server failed after " + tookMillis + " ms");
            assertFalse(String.valueOf(down.getCause().getMessage()).isEmpty());

            redis.restart(); // no persistence: the server comes back empty, as after losing its data
            awaitTrue(() -> {
                try {
                    return get(store.syncRequests("k", 0, "a", T, counts(60, 6))) == 6L;
                } catch (Exception notYet) {
                    return false;
                }
            }, "the store answers again after the restart, with the re-asserted absolute count");
        }
    }

    @Test
    void start_redisNotYetUp_connectsWhenItComes() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            int port = redis.port();
            redis.kill();
            try (RedisFleetStore store = RedisFleetStore.start(BudgetsStore.parse("redis://127.0.0.1:" + port))) {
                assertThrows(ExecutionException.class, () -> get(store.heartbeat("a", 1_000)));
                redis.restart();
                awaitTrue(store::connected, "connected once the server is up");
                assertEquals(1, get(store.heartbeat("a", 1_000)));
            }
        }
    }

    /** What both deployments must do: max-merge, replay, fleet sum, window edge, epochs. */
    private static void assertScriptSemantics(RedisFleetStore store) throws Exception {
        assertEquals(3L, get(store.syncRequests("k", 0, "a", T, counts(60, 3))));
        assertEquals(3L, get(store.syncRequests("k", 0, "a", T, counts(60, 3))), "a replay changes nothing");
        assertEquals(3L, get(store.syncRequests("k", 0, "a", T, counts(60, 2))), "a lower count never lowers it");
        assertEquals(7L, get(store.syncRequests("k", 0, "b", T, counts(60, 4))), "sidecars add up");
        // One second later: second T is at offset 59 of the window of T + 1; both sidecars' counts stay.
        assertEquals(8L, get(store.syncRequests("k", 0, "a", T + 1, counts(59, 3, 60, 1))));
        // At T + 61 the window is T + 1 .. T + 61: second T has left it, T + 1 has not.
        assertEquals(3L, get(store.syncRequests("k", 0, "a", T + 61, counts(60, 2))));
        assertEquals(2L, get(store.syncRequests("k", 0, "b", T + 62, counts())), "only a's T + 61 is left");
        assertEquals(1L, get(store.syncRequests("k", 1, "a", T + 62, counts(60, 1))), "a new epoch starts at 0");
        assertNotEquals(RedisFleetStore.requestsKey("k", 0), RedisFleetStore.requestsKey("k", 1));
    }

    /**
     * The budget script (see {@code FleetBudget}): grants out of the room left, at most ⌈room / N⌉
     * each; replays and late copies change nothing; a restarted sidecar replaces its record; an
     * allotment past its lease counts only what was used. L = 1000, N = 2.
     */
    private static void assertBudgetScriptSemantics(RedisFleetStore store, long periodEnd) throws Exception {
        assertEquals(new FleetStore.BudgetGrant(300, 300, 0), get(store.syncBudget(sync("a", "i1", 1, 0, 0, 300, periodEnd))));
        assertEquals(new FleetStore.BudgetGrant(300, 300, 0), get(store.syncBudget(sync("a", "i1", 1, 0, 0, 300, periodEnd))),
                "a replay changes nothing");
        assertEquals(new FleetStore.BudgetGrant(350, 650, 0), get(store.syncBudget(sync("b", "j1", 1, 0, 0, 900, periodEnd))),
                "room 700: at most ⌈700 / 2⌉");
        // a used 250 and keeps its 300: base 300, room 1000 − 350 − 300 = 350, ⌈350 / 2⌉ = 175 more.
        assertEquals(new FleetStore.BudgetGrant(475, 825, 250), get(store.syncBudget(sync("a", "i1", 2, 250, 300, 500, periodEnd))));
        assertEquals(new FleetStore.BudgetGrant(475, 825, 250), get(store.syncBudget(sync("a", "i1", 1, 0, 0, 300, periodEnd))),
                "a late copy of an older sync gets the newest answer");
        // b used more than its allotment: its used counts; room 1000 − 475 − 400 = 125, ⌈125 / 2⌉ = 63.
        assertEquals(new FleetStore.BudgetGrant(463, 938, 650), get(store.syncBudget(sync("b", "j1", 2, 400, 350, 100, periodEnd))));
        assertEquals(new FleetStore.BudgetGrant(250, 713, 650), get(store.syncBudget(sync("a", "i2", 1, 250, 0, 0, periodEnd))),
                "a restarted a (new incarnation, seq 1 again) replaces its record: it releases down to what it used");
        assertEquals(new FleetStore.BudgetGrant(463, 713, 650), get(store.syncBudget(sync("b", "j1", 3, 400, 463, 0, periodEnd))),
                "no room asked, none given");
        FleetStore.BudgetSync shortLease = new FleetStore.BudgetSync("k", 0, FleetBudget.Kind.TOKENS, 5, periodEnd, "c",
                "k1", 1, 10, 0, 100, 1_000, 2, 1);
        assertEquals(new FleetStore.BudgetGrant(110, 823, 660), get(store.syncBudget(shortLease)));
        Thread.sleep(5);
        assertEquals(new FleetStore.BudgetGrant(463, 723, 660), get(store.syncBudget(sync("b", "j1", 4, 400, 463, 0, periodEnd))),
                "c's lease has lapsed: only its used 10 counts");
        assertEquals(new FleetStore.BudgetGrant(100, 100, 0), get(store.syncBudget(new FleetStore.BudgetSync("k", 0,
                FleetBudget.Kind.COST, 5, periodEnd, "a", "i2", 1, 0, 0, 100, 1_000, 2, 60_000))), "cost is another budget");
        assertEquals(new FleetStore.BudgetGrant(100, 100, 0), get(store.syncBudget(new FleetStore.BudgetSync("k", 0,
                FleetBudget.Kind.TOKENS, 6, periodEnd, "a", "i2", 1, 0, 0, 100, 1_000, 2, 60_000))), "a new period starts at 0");
    }

    private static FleetStore.BudgetSync sync(String sidecar, String incarnation, long seq, long used, long keep, long want,
            long periodEnd) {
        return new FleetStore.BudgetSync("k", 0, FleetBudget.Kind.TOKENS, 5, periodEnd, sidecar, incarnation, seq, used,
                keep, want, 1_000, 2, 60_000);
    }

    /** Window counts: pairs of (offset, count), every other offset 0. */
    private static long[] counts(long... offsetCountPairs) {
        long[] counts = new long[RollingWindow.SLOTS];
        for (int i = 0; i < offsetCountPairs.length; i += 2) {
            counts[(int) offsetCountPairs[i]] = offsetCountPairs[i + 1];
        }
        return counts;
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void awaitTrue(ThrowingCondition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    private interface ThrowingCondition {
        boolean holds() throws Exception;
    }

}
