package dev.keymeter.sidecar;

import com.google.protobuf.Timestamp;
import dev.keymeter.check.LastUsedTracker;
import dev.keymeter.proto.replication.v1.KeyLastUsed;
import dev.keymeter.proto.replication.v1.LastUsedReport;
import dev.keymeter.proto.replication.v1.SidecarReportServiceGrpc;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sends the last-used times Check noted to the control plane, off the hot path, on the sidecar's
 * scheduler thread. A report that fails is kept and merged into the next one: last-used times are
 * advisory, so they wait for the control plane rather than block anything. A report the control plane
 * refuses as invalid (INVALID_ARGUMENT: a key deleted meanwhile, a clock far ahead) is dropped, since
 * sending it again cannot succeed.
 */
final class LastUsedReporter {

    private static final Logger LOG = System.getLogger("keymeter.sidecar");
    private static final int MAX_PER_REPORT = 10_000;

    private final LastUsedTracker tracker;
    private final SidecarReportServiceGrpc.SidecarReportServiceBlockingStub stub;
    private final String sidecarId;
    private final Map<String, Instant> pending = new HashMap<>();

    LastUsedReporter(LastUsedTracker tracker, Channel controlPlane, ClientInterceptor auth, String sidecarId) {
        this.tracker = tracker;
        this.stub = SidecarReportServiceGrpc.newBlockingStub(controlPlane).withInterceptors(auth);
        this.sidecarId = sidecarId;
    }

    /** Drains the tracker and reports everything pending; called by one thread at a time. */
    void report() {
        tracker.drain().forEach((id, t) -> pending.merge(id, t, (a, b) -> a.isAfter(b) ? a : b));
        while (!pending.isEmpty()) {
            LastUsedReport.Builder report = LastUsedReport.newBuilder().setSidecarId(sidecarId);
            Iterator<Map.Entry<String, Instant>> it = pending.entrySet().iterator();
            while (it.hasNext() && report.getKeysCount() < MAX_PER_REPORT) {
                Map.Entry<String, Instant> e = it.next();
                report.addKeys(KeyLastUsed.newBuilder().setKeyId(e.getKey()).setLastUsedTime(Timestamp.newBuilder()
                        .setSeconds(e.getValue().getEpochSecond()).setNanos(e.getValue().getNano())));
            }
            try {
                stub.withDeadlineAfter(5, TimeUnit.SECONDS).reportLastUsed(report.build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
                    LOG.log(Level.WARNING, "last-used report of " + report.getKeysCount() + " keys failed ("
                            + e.getStatus().getCode() + "); will retry with the next report");
                    return;
                }
                // Refused whole (e.g. a key deleted since it was used): the same report would be refused again.
                LOG.log(Level.WARNING, "last-used report of " + report.getKeysCount() + " keys refused, dropped: "
                        + e.getStatus().getDescription());
            }
            report.getKeysList().forEach(k -> pending.remove(k.getKeyId()));
        }
    }
}
