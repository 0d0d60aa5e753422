package dev.keymeter.quota;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * The simulator's world: a virtual clock with an event queue, and an in-process model of the fleet
 * store that runs each script atomically when its command "arrives", like Redis does. Commands take a
 * random one-way delay each way; faults are injected on demand: a command lost on the way, a reply
 * lost on the way back (both surface as a timeout, as Lettuce's command timeout does), an outage
 * during which every command times out, and a failover that loses the writes of the last
 * {@code lostMillis}.
 */
final class FleetModel {

    /** A command with no answer fails after this long, as a Lettuce command timeout. */
    static final long TIMEOUT_MILLIS = 500;

    private record Event(long at, long seq, Runnable action) {
    }

    /** A count the script raised, and what it held before, so that a failover can undo it. */
    private record Write(long at, long[] ring, int slot, long secondBefore, long countBefore) {
    }

    private final PriorityQueue<Event> events = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final SplittableRandom random;
    private long now;
    private long seq;

    /**
     * The one key of a scenario: per sidecar, 61 slots of (second, count) — the same fields the Redis
     * hash holds ({@code sidecar|second}), stored as a ring for speed: a slot holding another second
     * is a field the script has dropped.
     */
    private final Map<String, long[]> rings = new HashMap<>();
    private final Map<String, Long> members = new HashMap<>();
    private final Deque<Write> recentWrites = new ArrayDeque<>();

    /** A sidecar's allotment record of one budget, as the budget script keeps it (one hash field). */
    private record BudgetRecord(String incarnation, long seq, long used, long allotment, long leaseEnd) {
        long committed(long now) {
            return leaseEnd > now ? Math.max(used, allotment) : used;
        }
    }

    /** A record the budget script replaced, so that a failover can put it back ({@code before} null: none). */
    private record BudgetWrite(long at, Map<String, BudgetRecord> hash, String field, BudgetRecord before) {
    }

    private final Map<String, Map<String, BudgetRecord>> budgetHashes = new HashMap<>();
    private final Deque<BudgetWrite> recentBudgetWrites = new ArrayDeque<>();

    long minOneWayMillis = 0;
    long maxOneWayMillis = 2;
    double lostCommands;
    double lostReplies;
    /** Commands and replies are lost only from then on (sidecars warm up before they serve). */
    long faultsFrom;
    private final long startMillis;
    private final StringBuilder faults = new StringBuilder();
    private long outageFrom = Long.MAX_VALUE;
    private long outageTo = Long.MAX_VALUE;

    FleetModel(long seed, long startMillis) {
        this.random = new SplittableRandom(seed);
        this.now = startMillis;
        this.startMillis = startMillis;
    }

    long now() {
        return now;
    }

    SplittableRandom random() {
        return random;
    }

    void at(long time, Runnable action) {
        events.add(new Event(Math.max(time, now), seq++, action));
    }

    /** Runs events in time order until {@code endMillis}. */
    void runUntil(long endMillis) {
        while (!events.isEmpty() && events.peek().at <= endMillis) {
            Event e = events.poll();
            now = e.at;
            e.action.run();
        }
        now = endMillis;
    }

    void outage(long fromMillis, long toMillis) {
        outageFrom = fromMillis;
        outageTo = toMillis;
        faults.append(String.format(" outage %d..%d ms", fromMillis - startMillis, toMillis - startMillis));
    }

    /** The faults injected, for a failing scenario's message. */
    String faults() {
        return String.format(java.util.Locale.ROOT, "lost commands %.3f, replies %.3f from %d ms;%s", lostCommands,
                lostReplies, faultsFrom - startMillis, faults);
    }

    /** At {@code atMillis} the store loses every write of the {@code lostMillis} before (a failover to a lagging replica). */
    void failover(long atMillis, long lostMillis) {
        faults.append(String.format(" failover at %d ms losing %d ms", atMillis - startMillis, lostMillis));
        at(atMillis, () -> {
            while (!recentWrites.isEmpty() && recentWrites.peekLast().at >= now - lostMillis) {
                Write w = recentWrites.pollLast();
                w.ring[2 * w.slot] = w.secondBefore;
                w.ring[2 * w.slot + 1] = w.countBefore;
            }
            while (!recentBudgetWrites.isEmpty() && recentBudgetWrites.peekLast().at >= now - lostMillis) {
                BudgetWrite w = recentBudgetWrites.pollLast();
                if (w.before == null) {
                    w.hash.remove(w.field);
                } else {
                    w.hash.put(w.field, w.before);
                }
            }
        });
    }

    /** A store as one sidecar reaches it. */
    FleetStore storeFor() {
        return new FleetStore() {
            @Override
            public CompletionStage<Long> syncRequests(String keyId, long epoch, String sidecarId, long second, long[] c) {
                long[] pushed = c.clone();
                return command(() -> script(sidecarId, second, pushed));
            }

            @Override
            public CompletionStage<BudgetGrant> syncBudget(BudgetSync sync) {
                return command(() -> budgetScript(sync));
            }

            @Override
            public CompletionStage<Integer> heartbeat(String sidecarId, long ttlMillis) {
                return command(() -> {
                    members.put(sidecarId, now + ttlMillis);
                    members.values().removeIf(expiry -> expiry <= now);
                    return members.size();
                });
            }

            @Override
            public void close() {
            }
        };
    }

    private interface Script<T> {
        T run();
    }

    private <T> CompletionStage<T> command(Script<T> script) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        long sent = now;
        Runnable timeOut = () -> at(sent + TIMEOUT_MILLIS,
                () -> answer.completeExceptionally(new TimeoutException("command timed out")));
        if (lostCommands > 0 && now >= faultsFrom && random.nextDouble() < lostCommands) {
            timeOut.run();
            return answer;
        }
        at(sent + oneWay(), () -> {
            if (now >= outageFrom && now < outageTo) {
                timeOut.run(); // the store is down: the command times out
                return;
            }
            T result = script.run();
            if (lostReplies > 0 && now >= faultsFrom && random.nextDouble() < lostReplies) {
                timeOut.run();
            } else {
                at(now + oneWay(), () -> answer.complete(result));
            }
        });
        return answer;
    }

    private long oneWay() {
        return minOneWayMillis + (maxOneWayMillis > minOneWayMillis ? random.nextLong(maxOneWayMillis - minOneWayMillis + 1) : 0);
    }

    /** The rate script: max-merge the pushed seconds (a newer second replaces an older one), sum the window. */
    private long script(String sidecarId, long second, long[] pushed) {
        long[] ring = rings.computeIfAbsent(sidecarId, id -> new long[2 * 61]);
        for (int i = 0; i < pushed.length; i++) {
            long s = second - 60 + i;
            int slot = (int) (s % 61);
            long held = ring[2 * slot];
            if (pushed[i] > 0 && (held < s || (held == s && ring[2 * slot + 1] < pushed[i]))) {
                recentWrites.addLast(new Write(now, ring, slot, held, ring[2 * slot + 1]));
                ring[2 * slot] = s;
                ring[2 * slot + 1] = pushed[i];
            }
        }
        while (!recentWrites.isEmpty() && recentWrites.peekFirst().at < now - 10_000) {
            recentWrites.pollFirst();
        }
        long sum = 0;
        for (long[] r : rings.values()) {
            for (int slot = 0; slot < 61; slot++) {
                long s = r[2 * slot];
                if (s >= second - 60 && s <= second) {
                    sum += r[2 * slot + 1];
                }
            }
        }
        return sum;
    }

    /** The budget script (sync-budget.lua): see {@link FleetStore#syncBudget}. */
    private FleetStore.BudgetGrant budgetScript(FleetStore.BudgetSync s) {
        Map<String, BudgetRecord> hash = budgetHashes.computeIfAbsent(
                s.keyId() + ":" + s.kind().tag() + ":" + s.epoch() + ":" + s.periodIndex(), k -> new HashMap<>());
        long others = 0;
        long othersUsed = 0;
        BudgetRecord mine = null;
        for (Map.Entry<String, BudgetRecord> e : hash.entrySet()) {
            if (e.getKey().equals(s.sidecarId())) {
                mine = e.getValue();
            } else {
                others += e.getValue().committed(now);
                othersUsed += e.getValue().used();
            }
        }
        if (mine != null && mine.incarnation().equals(s.incarnation()) && mine.seq() >= s.seq()) {
            return new FleetStore.BudgetGrant(mine.allotment(), others + mine.committed(now), othersUsed + mine.used());
        }
        long free = s.limit() - others;
        long base = Math.max(s.used(), Math.min(s.keep(), Math.max(free, 0)));
        long room = free - base;
        long grant = base;
        if (room > 0 && s.want() > 0) {
            int n = Math.max(1, s.sidecars());
            grant += Math.min(s.want(), (room + n - 1) / n);
        }
        BudgetRecord next = new BudgetRecord(s.incarnation(), s.seq(), s.used(), grant, now + s.leaseMillis());
        recentBudgetWrites.addLast(new BudgetWrite(now, hash, s.sidecarId(), hash.put(s.sidecarId(), next)));
        while (!recentBudgetWrites.isEmpty() && recentBudgetWrites.peekFirst().at < now - 10_000) {
            recentBudgetWrites.pollFirst();
        }
        return new FleetStore.BudgetGrant(grant, others + next.committed(now), othersUsed + s.used());
    }
}
