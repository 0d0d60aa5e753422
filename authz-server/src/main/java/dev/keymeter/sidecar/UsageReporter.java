package dev.keymeter.sidecar;

import com.google.protobuf.Timestamp;
import dev.keymeter.proto.replication.v1.KeyUsageFigures;
import dev.keymeter.proto.replication.v1.SidecarReportServiceGrpc;
import dev.keymeter.proto.replication.v1.UsageReport;
import dev.keymeter.quota.BudgetUsage;
import dev.keymeter.quota.KeyQuota;
import dev.keymeter.keys.ResetPeriod;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicaEntry;
import dev.keymeter.usage.Budgets;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Sends the control plane the usage figures of the keys whose counters changed, for the admin usage
 * overview, on the sidecar's scheduler thread. Every {@value #FULL_EVERY}th report sends every key
 * this process has counted, so a control plane that restarted (its figures live in memory) is whole
 * again within that many intervals. A report that fails is kept for the next one; one refused as
 * invalid is dropped.
 *
 * <p>Every report carries the replica's applied revision and store id, and one is sent each interval
 * even with no figures: the control plane's GetReplicationStatus (and {@code keys revoke --wait}) read
 * from it which changes this sidecar has in force.
 */
final class UsageReporter {

    private static final Logger LOG = System.getLogger("keymeter.sidecar");
    private static final int MAX_PER_REPORT = 10_000;
    static final int FULL_EVERY = 12;

    private final Budgets budgets;
    private final KeyReplica replica;
    private final SidecarReportServiceGrpc.SidecarReportServiceBlockingStub stub;
    private final String sidecarId;
    private final Clock clock;
    private final Set<String> pending = new LinkedHashSet<>();
    /** Every key counted since start: bounded by the counter store's capacity. */
    private final Set<String> known = new LinkedHashSet<>();
    private int reports;

    UsageReporter(Budgets budgets, KeyReplica replica, Channel controlPlane, ClientInterceptor auth, String sidecarId,
            Clock clock) {
        this.budgets = budgets;
        this.replica = replica;
        this.stub = SidecarReportServiceGrpc.newBlockingStub(controlPlane).withInterceptors(auth);
        this.sidecarId = sidecarId;
        this.clock = clock;
    }

    /** Reports pending figures; called by one thread at a time. */
    void report() {
        List<String> touched = budgets.drainTouched();
        known.addAll(touched);
        pending.addAll(++reports % FULL_EVERY == 0 ? known : touched);
        ReplicaEntry key = new ReplicaEntry();
        boolean first = true;
        while (first || !pending.isEmpty()) {
            long now = clock.millis();
            UsageReport.Builder report = UsageReport.newBuilder().setSidecarId(sidecarId)
                    .setAppliedRevision(replica.appliedRevision()).setStoreId(replica.storeId());
            List<String> sent = new ArrayList<>();
            for (String keyId : pending) {
                if (report.getKeysCount() >= MAX_PER_REPORT) {
                    break;
                }
                sent.add(keyId);
                if (replica.lookupKey(keyId, key)) {
                    KeyQuota quota = budgets.existingQuotaOf(key);
                    if (quota != null) {
                        report.addKeys(figures(key, quota, now));
                    }
                }
            }
            try {
                if (first || report.getKeysCount() > 0) {
                    stub.withDeadlineAfter(5, TimeUnit.SECONDS).reportUsage(report.build());
                }
                first = false;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
                    LOG.log(Level.WARNING, "usage report of " + report.getKeysCount() + " keys failed ("
                            + e.getStatus().getCode() + "); will retry with the next report");
                    return;
                }
                // Refused whole: sending it again cannot succeed; the keys' next figures go with the next report.
                LOG.log(Level.WARNING, "usage report of " + report.getKeysCount() + " keys refused, dropped: "
                        + e.getStatus().getDescription());
                first = false;
            }
            sent.forEach(pending::remove);
        }
    }

    private KeyUsageFigures figures(ReplicaEntry key, KeyQuota quota, long now) {
        BudgetUsage tokens = quota.tokens(now);
        BudgetUsage cost = quota.cost(now);
        KeyUsageFigures.Builder f = KeyUsageFigures.newBuilder()
                .setKeyId(key.keyId)
                .setTokensUsed(tokens.used())
                .setTokensReserved(tokens.reserved())
                .setCostUsedMicroUsd(cost.used())
                .setCostReservedMicroUsd(cost.reserved())
                .setRequestsLastMinute(quota.requestsInWindow(now))
                .setReservationsInFlight(budgets.reservations().inFlight(key.keyId))
                .setRequestsTotal(budgets.admittedRequests().total(key.keyId))
                .setAsOfTime(timestamp(now));
        if (key.usageEpoch != 0) {
            f.setUsageResetTime(timestamp(key.usageEpoch));
        }
        if (key.resetPeriod != ResetPeriod.NEVER) {
            f.setPeriodStartTime(timestamp(tokens.periodStartMillis()));
        }
        return f.build();
    }

    private static Timestamp timestamp(long millis) {
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(millis, 1000))
                .setNanos((int) Math.floorMod(millis, 1000) * 1_000_000).build();
    }
}
