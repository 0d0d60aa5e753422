package dev.keymeter.admin;

import dev.keymeter.store.KeyStore;
import dev.keymeter.store.StoreException;
import dev.keymeter.store.StoreReader;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the control plane's gRPC health in step with its store: every {@link #CHECK_MILLIS} it reads
 * the store's revision, and while that fails (the database is down or out of reach) the admin and
 * replication services report NOT_SERVING, so a load balancer or a Kubernetes gRPC probe moves
 * callers to another control plane; they report SERVING again on the first read that succeeds.
 * {@link #serving()} gives the same answer to the HTTP {@code /readyz} of {@code keymeter control-plane}.
 */
final class StoreHealth implements AutoCloseable {

    private static final Logger LOG = System.getLogger("keymeter.admin");
    static final long CHECK_MILLIS = 2_000;

    private final KeyStore store;
    private final HealthStatusManager health;
    private final List<String> services;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "keymeter-store-health");
        thread.setDaemon(true);
        return thread;
    });
    /** Written only by the checker thread; volatile so {@code /readyz} threads see its last answer. */
    private volatile boolean serving = true;

    StoreHealth(KeyStore store, HealthStatusManager health, List<String> services) {
        this.store = store;
        this.health = health;
        this.services = services;
        checker.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void check() {
        boolean up;
        String why = null;
        try {
            store.read(StoreReader::currentRevision);
            up = true;
        } catch (StoreException | IllegalStateException e) {
            up = false;
            why = e.getMessage();
        }
        if (up != serving) {
            serving = up;
            ServingStatus status = up ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
            services.forEach(service -> health.setStatus(service, status));
            if (up) {
                LOG.log(Level.INFO, "the key store answers again: health SERVING");
            } else {
                LOG.log(Level.WARNING, "the key store does not answer ({0}): health NOT_SERVING", why);
            }
        }
    }

    /** Whether the last check read the store (true until a check fails). */
    boolean serving() {
        return serving;
    }

    @Override
    public void close() {
        checker.shutdownNow();
        try {
            checker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
