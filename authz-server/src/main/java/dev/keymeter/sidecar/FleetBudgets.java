package dev.keymeter.sidecar;

import dev.keymeter.fleet.RedisFleetStore;
import dev.keymeter.quota.FleetSync;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar's part in fleet budgets: the Redis store, the {@link FleetSync} and the thread that
 * ticks it every T/4. Started before the sidecar serves, so that it knows how many sidecars share
 * each limit (it waits up to {@link #WARM_UP_MILLIS} for Redis, and starts without it if it must:
 * the keys then keep to their limit ÷ the sidecars last counted, 1 until Redis first answers).
 */
final class FleetBudgets implements AutoCloseable {

    private static final Logger LOG = System.getLogger("keymeter.fleet");
    static final long WARM_UP_MILLIS = 3_000;
    static final long RELEASE_MILLIS = 1_000;

    private final RedisFleetStore store;
    private final FleetSync sync;
    private final ScheduledExecutorService ticker;

    private FleetBudgets(RedisFleetStore store, FleetSync sync, ScheduledExecutorService ticker) {
        this.store = store;
        this.sync = sync;
        this.ticker = ticker;
    }

    static FleetBudgets start(FleetSettings settings, String sidecarId, Clock clock) {
        RedisFleetStore store = RedisFleetStore.start(settings.store());
        long tick = settings.syncInterval().toMillis();
        FleetSync sync = new FleetSync(store, new FleetSync.Settings(sidecarId, tick, 1_000, 3_000,
                Math.max(1_000, 5 * tick)), clock::millis);
        warmUp(store, sync, settings);
        ScheduledExecutorService ticker = Sidecar.daemonScheduler("keymeter-fleet-sync");
        long every = Math.max(1, tick / 4);
        ticker.scheduleWithFixedDelay(() -> {
            try {
                sync.tick();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "fleet budgets: a sync round failed: {0}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, "fleet budgets: shared through {0} as sidecar {1}, sync every {2} ms, sidecars alive: {3}",
                settings.store(), sidecarId, Long.toString(tick), Integer.toString(sync.sidecars()));
        return new FleetBudgets(store, sync, ticker);
    }

    private static void warmUp(RedisFleetStore store, FleetSync sync, FleetSettings settings) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WARM_UP_MILLIS);
        while (!store.connected() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            sync.heartbeat().toCompletableFuture().get(left, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "fleet budgets: {0} did not answer within {1} ms; serving anyway, each key"
                    + " keeping to its limit until Redis answers", settings.store(), Long.toString(WARM_UP_MILLIS));
        }
    }

    FleetSync sync() {
        return sync;
    }

    /**
     * Stops syncing, then gives back every allotment beyond what was committed (waiting at most
     * {@link #RELEASE_MILLIS}), so the fleet can use it at once rather than when its lease lapses.
     * Called after the sidecar has stopped taking checks.
     */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(1, TimeUnit.SECONDS);
            if (!sync.budgets().isEmpty()) {
                sync.releaseAll().get(RELEASE_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "fleet budgets: allotments not released within {0} ms ({1}); they lapse with"
                    + " their lease", Long.toString(RELEASE_MILLIS), e.toString());
        }
        store.close();
    }
}
