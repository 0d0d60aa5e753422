package dev.keymeter.replication;

import dev.keymeter.lifecycle.UsageBoard;
import dev.keymeter.proto.replication.v1.KeyLastUsed;
import dev.keymeter.proto.replication.v1.KeyUsageFigures;
import dev.keymeter.proto.replication.v1.UsageReport;
import dev.keymeter.proto.replication.v1.UsageReportAck;
import dev.keymeter.proto.replication.v1.LastUsedReport;
import dev.keymeter.proto.replication.v1.LastUsedReportAck;
import dev.keymeter.proto.replication.v1.SidecarReportServiceGrpc;
import dev.keymeter.store.KeyStore;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Receives what sidecars report: last-used times (the latest per key, stored) and usage figures (the
 * latest per sidecar and key, in the {@link UsageBoard}, for the usage overview). Not admin mutations:
 * no audit record, no revision (it would wake every Watch stream on every report).
 */
public final class LastUsedService extends SidecarReportServiceGrpc.SidecarReportServiceImplBase {

    static final int MAX_ENTRIES = 10_000;

    private final KeyStore store;
    private final UsageBoard board;

    public LastUsedService(KeyStore store, UsageBoard board) {
        this.store = Objects.requireNonNull(store, "store");
        this.board = Objects.requireNonNull(board, "board");
    }

    @Override
    public void reportUsage(UsageReport report, StreamObserver<UsageReportAck> out) {
        if (report.getKeysCount() > MAX_ENTRIES) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("keys: at most " + MAX_ENTRIES
                    + " entries per report, got " + report.getKeysCount()).asRuntimeException());
            return;
        }
        String sidecar = report.getSidecarId().isEmpty() ? "unnamed" : report.getSidecarId();
        if (sidecar.length() > 128) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("sidecar_id: at most 128 characters")
                    .asRuntimeException());
            return;
        }
        int recorded = 0;
        for (KeyUsageFigures k : report.getKeysList()) {
            if (k.getKeyId().isEmpty() || !k.hasAsOfTime()) {
                continue;
            }
            board.record(k.getKeyId(), sidecar, new UsageBoard.Figures(
                    k.hasUsageResetTime() ? instant(k.getUsageResetTime()) : null,
                    k.hasPeriodStartTime() ? instant(k.getPeriodStartTime()) : null,
                    k.getTokensUsed(), k.getTokensReserved(), k.getCostUsedMicroUsd(), k.getCostReservedMicroUsd(),
                    k.getRequestsLastMinute(), k.getReservationsInFlight(), instant(k.getAsOfTime())));
            recorded++;
        }
        out.onNext(UsageReportAck.newBuilder().setRecorded(recorded).build());
        out.onCompleted();
    }

    private static Instant instant(com.google.protobuf.Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    @Override
    public void reportLastUsed(LastUsedReport report, StreamObserver<LastUsedReportAck> out) {
        if (report.getKeysCount() > MAX_ENTRIES) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("keys: at most " + MAX_ENTRIES
                    + " entries per report, got " + report.getKeysCount()).asRuntimeException());
            return;
        }
        Map<String, Instant> latest = new HashMap<>();
        for (KeyLastUsed k : report.getKeysList()) {
            Instant t = Instant.ofEpochSecond(k.getLastUsedTime().getSeconds(), k.getLastUsedTime().getNanos());
            latest.merge(k.getKeyId(), t, (a, b) -> a.isAfter(b) ? a : b);
        }
        int recorded = latest.isEmpty() ? 0 : store.write(tx -> tx.recordLastUsed(latest));
        out.onNext(LastUsedReportAck.newBuilder().setRecorded(recorded).build());
        out.onCompleted();
    }
}
