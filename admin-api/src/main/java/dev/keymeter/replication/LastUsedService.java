package dev.keymeter.replication;

import dev.keymeter.proto.replication.v1.KeyLastUsed;
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
 * Receives sidecars' last-used times and keeps the latest per key. Not an admin mutation: no audit
 * record, no revision (it would wake every Watch stream on every report).
 */
public final class LastUsedService extends SidecarReportServiceGrpc.SidecarReportServiceImplBase {

    static final int MAX_ENTRIES = 10_000;

    private final KeyStore store;

    public LastUsedService(KeyStore store) {
        this.store = Objects.requireNonNull(store, "store");
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
