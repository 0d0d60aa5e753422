package dev.keymeter.sidecar;

import dev.keymeter.metrics.Readiness;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicationClient;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Whether the sidecar is in service: its warm-up has run ({@link WarmUp}), its replica has loaded,
 * and — when {@code --max-replica-staleness} is set — it has been in step with the control plane
 * within that time. By default (0) a sidecar whose control plane is away keeps serving its last known
 * good replica for ever; the staleness is still shown ({@code /readyz}, {@code keymeter_replica_staleness_seconds}).
 *
 * <p>gRPC health and {@code /readyz} follow {@link #serving()}. Check itself keeps deciding from the
 * replica it has: an Envoy that health-checks the ext_authz cluster stops sending to a NOT_SERVING
 * sidecar and applies its {@code status_on_error} (fail closed). Thread-safe (reads volatile state).
 */
final class ReplicaHealth {

    private static final System.Logger LOG = System.getLogger("keymeter.sidecar");

    private final KeyReplica replica;
    private final ReplicationClient client;
    private final Duration maxStaleness;
    /** Whether the last {@link #serving()} found the replica too stale: logs each change once. */
    private volatile boolean wasStale;
    /** Set once Check's path has been warmed up (or the warm-up is off): never in service before. */
    private volatile boolean warmedUp;

    ReplicaHealth(KeyReplica replica, ReplicationClient client, Duration maxStaleness) {
        this.replica = Objects.requireNonNull(replica, "replica");
        this.client = Objects.requireNonNull(client, "client");
        this.maxStaleness = Objects.requireNonNull(maxStaleness, "maxStaleness");
    }

    /** Warmed up, loaded, and not older than the bound (when there is one). */
    boolean serving() {
        return warmedUp && replica.isLoaded() && !tooStale(client.staleness());
    }

    /** The warm-up has run (or is off): from now on the replica alone decides. */
    void warmedUp() {
        warmedUp = true;
    }

    private boolean tooStale(Duration staleness) {
        boolean stale = !maxStaleness.isZero() && staleness.compareTo(maxStaleness) > 0;
        if (stale != wasStale) {
            wasStale = stale;
            if (stale) {
                LOG.log(Level.WARNING, "the key replica has not been in step with the control plane for {0} s, "
                        + "more than --max-replica-staleness ({1} s): health says NOT_SERVING until it is again",
                        seconds(staleness), seconds(maxStaleness));
            } else {
                LOG.log(Level.INFO, "the key replica is in step with the control plane again: SERVING");
            }
        }
        return stale;
    }

    /** {@code /readyz}: the status of {@link #serving()}, and why. */
    Readiness readiness() {
        Duration staleness = client.staleness();
        boolean loaded = replica.isLoaded();
        String detail = "warmed_up: " + warmedUp + "\n"
                + "replica_loaded: " + loaded + "\n"
                + "replica_staleness_seconds: " + seconds(staleness) + "\n"
                + "max_replica_staleness_seconds: " + (maxStaleness.isZero() ? "off" : seconds(maxStaleness)) + "\n"
                + "control_plane_connected: " + client.isConnected() + "\n"
                + "applied_revision: " + client.appliedRevision() + "\n";
        return new Readiness(warmedUp && loaded && !tooStale(staleness), detail);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }
}
