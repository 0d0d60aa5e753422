package dev.keymeter.replication;

import dev.keymeter.lifecycle.SidecarRevisions;
import dev.keymeter.lifecycle.UsageBoard;
import dev.keymeter.proto.replication.v1.KeyLastUsed;
import dev.keymeter.proto.replication.v1.KeyUsageFigures;
import dev.keymeter.proto.replication.v1.LastUsedReport;
import dev.keymeter.proto.replication.v1.LastUsedReportAck;
import dev.keymeter.proto.replication.v1.SidecarReportServiceGrpc;
import dev.keymeter.proto.replication.v1.UsageReport;
import dev.keymeter.proto.replication.v1.UsageReportAck;
import dev.keymeter.store.KeyStore;
import dev.keymeter.store.StoreFullException;
import dev.keymeter.store.StoreReader;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Receives what sidecars report: last-used times (the latest per key, stored) and usage figures (the
 * latest per sidecar and key, in the {@link UsageBoard}, for the usage overview) with the replica
 * revision the sidecar has applied ({@link SidecarRevisions}, for GetReplicationStatus). Not admin mutations:
 * no audit record, no revision (it would wake every Watch stream on every report).
 *
 * <p>Callers hold the sidecar role (the interceptor checks it). Each report is checked whole first
 * ({@link SidecarReports}): a bad one is INVALID_ARGUMENT naming the field, and nothing of it is
 * recorded. Usage figures that do not fit the bounded board are acknowledged as not recorded.
 */
public final class LastUsedService extends SidecarReportServiceGrpc.SidecarReportServiceImplBase {

    static final int MAX_ENTRIES = SidecarReports.MAX_ENTRIES;
    private static final Logger LOG = System.getLogger("keymeter.replication");
    private static final long FULL_WARNING_EVERY_MILLIS = 60_000;

    private final KeyStore store;
    private final UsageBoard board;
    private final SidecarRevisions revisions;
    private final Clock clock;
    private final BooleanSupplier diskFull;
    private volatile long lastFullWarning = Long.MIN_VALUE / 2;
    /** The store's id, read once: it is fixed for the life of a database; 0 until read. */
    private volatile long storeId;

    public LastUsedService(KeyStore store, UsageBoard board, SidecarRevisions revisions, Clock clock) {
        this(store, board, revisions, clock, () -> false);
    }

    /**
     * @param diskFull true while the control plane's disk is full: last-used times are then not
     *     written (they are a convenience, and the room left is kept for revocations)
     */
    public LastUsedService(KeyStore store, UsageBoard board, SidecarRevisions revisions, Clock clock,
            BooleanSupplier diskFull) {
        this.diskFull = Objects.requireNonNull(diskFull, "diskFull");
        this.store = Objects.requireNonNull(store, "store");
        this.board = Objects.requireNonNull(board, "board");
        this.revisions = Objects.requireNonNull(revisions, "revisions");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void reportUsage(UsageReport report, StreamObserver<UsageReportAck> out) {
        if (!valid(() -> SidecarReports.check(report, clock.instant(), this::existing), out)) {
            return;
        }
        // A revision of another store (a restored backup) says nothing about this one's changes.
        revisions.record(report.getSidecarId(), report.getStoreId() == storeId() ? report.getAppliedRevision() : 0);
        int recorded = 0;
        for (KeyUsageFigures k : report.getKeysList()) {
            boolean fits = board.record(k.getKeyId(), report.getSidecarId(), new UsageBoard.Figures(
                    k.hasUsageResetTime() ? instant(k.getUsageResetTime()) : null,
                    k.hasPeriodStartTime() ? instant(k.getPeriodStartTime()) : null,
                    k.getTokensUsed(), k.getTokensReserved(), k.getCostUsedMicroUsd(), k.getCostReservedMicroUsd(),
                    k.getRequestsLastMinute(), k.getReservationsInFlight(), k.getRequestsTotal(),
                    instant(k.getAsOfTime())));
            recorded += fits ? 1 : 0;
        }
        if (recorded < report.getKeysCount()) {
            warnFull(report.getKeysCount() - recorded);
        }
        out.onNext(UsageReportAck.newBuilder().setRecorded(recorded).build());
        out.onCompleted();
    }

    @Override
    public void reportLastUsed(LastUsedReport report, StreamObserver<LastUsedReportAck> out) {
        if (!valid(() -> SidecarReports.check(report, clock.instant(), this::existing), out)) {
            return;
        }
        Map<String, Instant> latest = new HashMap<>();
        for (KeyLastUsed k : report.getKeysList()) {
            latest.merge(k.getKeyId(), instant(k.getLastUsedTime()), (a, b) -> a.isAfter(b) ? a : b);
        }
        int recorded;
        try {
            if (!latest.isEmpty() && diskFull.getAsBoolean()) {
                throw new StoreFullException("last-used times refused: the disk is full", null);
            }
            recorded = latest.isEmpty() ? 0 : store.write(tx -> tx.recordLastUsed(latest));
        } catch (StoreFullException full) { // logged, rate-limited, by the admin writes that meet it
            out.onError(Status.RESOURCE_EXHAUSTED.withDescription("the control plane's disk is full: last-used times "
                    + "were not recorded").asRuntimeException());
            return;
        }
        out.onNext(LastUsedReportAck.newBuilder().setRecorded(recorded).build());
        out.onCompleted();
    }

    private long storeId() {
        long id = storeId;
        if (id == 0) {
            id = store.read(StoreReader::storeId);
            storeId = id;
        }
        return id;
    }

    private Set<String> existing(List<String> keyIds) {
        return store.read(r -> r.existingKeyIds(keyIds));
    }

    /** Runs the checks; a refusal answers INVALID_ARGUMENT and returns false. */
    private static boolean valid(Runnable checks, StreamObserver<?> out) {
        try {
            checks.run();
            return true;
        } catch (SidecarReports.Invalid invalid) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(invalid.getMessage()).asRuntimeException());
            return false;
        }
    }

    private void warnFull(int dropped) {
        long now = clock.millis();
        if (now - lastFullWarning >= FULL_WARNING_EVERY_MILLIS) {
            lastFullWarning = now;
            LOG.log(Level.WARNING, "usage board full (" + board.sidecars() + " sidecars, " + board.entries()
                    + " figures): " + dropped + " figures of a report not recorded; the usage overview misses them");
        }
    }

    private static Instant instant(com.google.protobuf.Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
