package dev.keymeter.usage;

import dev.keymeter.proto.usage.v1.ReportRequest;
import dev.keymeter.proto.usage.v1.ReportResponse;
import dev.keymeter.proto.usage.v1.UsageServiceGrpc;
import dev.keymeter.usage.UsageRecord.Source;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * {@code keymeter.usage.v1.UsageService/Report}: usage told by a gateway that counts tokens or cost
 * itself. Settles through the same {@link UsageSink} as the access-log stream, so a request reported
 * both ways is counted once (by request id).
 *
 * <ul>
 *   <li>Every field is checked first; a bad one is refused with INVALID_ARGUMENT whose description
 *       names it and the rule ({@code input_tokens: must be between 0 and 1000000000000000, was -1}).
 *       Values a client sent are never echoed, apart from numbers.</li>
 *   <li>COUNTED → {@code counted=true} and the cost charged; DUPLICATE (a retry) →
 *       {@code counted=false}; UNKNOWN_KEY → NOT_FOUND {@code key <id> is not known to this sidecar}
 *       (the id has been validated, so it is safe to echo); a reservation of another key →
 *       INVALID_ARGUMENT {@code reservation_id: not a reservation of key <id>}, nothing charged.</li>
 *   <li>Anything unexpected → INTERNAL {@code usage report failed}: no stack trace or message reaches
 *       the client; the server log gets one (rate-limited) line.</li>
 * </ul>
 *
 * <p>Never blocks (suitable for a {@code directExecutor} server) provided the sink does not. Thread-safe.
 */
public final class UsageReportService extends UsageServiceGrpc.UsageServiceImplBase {

    private static final Logger LOG = System.getLogger("keymeter.usage");

    private final UsageSink sink;
    private final IngestionListener listener;
    private final WarningLimiter failureWarnings;

    public UsageReportService(UsageSink sink, IngestionListener listener) {
        this(sink, listener, System::currentTimeMillis);
    }

    UsageReportService(UsageSink sink, IngestionListener listener, LongSupplier nowMillis) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.failureWarnings = new WarningLimiter(AccessLogService.WARNING_INTERVAL_MILLIS, nowMillis);
    }

    @Override
    public void report(ReportRequest request, StreamObserver<ReportResponse> responseObserver) {
        listener.received(Source.REPORT);
        Invalid invalid = validate(request);
        if (invalid != null) {
            listener.malformed(Source.REPORT, invalid.field());
            responseObserver.onError(Status.INVALID_ARGUMENT
                    .withDescription(invalid.field() + ": " + invalid.rule())
                    .asRuntimeException());
            return;
        }
        UsageRecord usage;
        Settlement settlement;
        try {
            usage = new UsageRecord(request.getRequestId(), request.getKeyId(),
                    emptyToNull(request.getReservationId()), emptyToNull(request.getModel()),
                    request.getInputTokens(), request.getOutputTokens(),
                    request.hasCostMicroUsd() ? request.getCostMicroUsd() : UsageRecord.UNKNOWN_COST,
                    Source.REPORT);
            settlement = Objects.requireNonNull(sink.settle(usage), "settlement");
        } catch (RuntimeException e) {
            listener.failed(Source.REPORT, e);
            long skipped = failureWarnings.tryLine();
            if (skipped != WarningLimiter.SUPPRESSED) {
                LOG.log(Level.WARNING, "usage report failed key_id=" + request.getKeyId()
                        + AccessLogService.suppressedSuffix(skipped), e);
            }
            responseObserver.onError(Status.INTERNAL.withDescription("usage report failed").asRuntimeException());
            return;
        }
        switch (settlement.outcome()) {
            case COUNTED -> {
                listener.counted(usage, settlement);
                respond(responseObserver, true, settlement.chargedCostMicroUsd());
            }
            case DUPLICATE -> {
                listener.duplicate(usage);
                respond(responseObserver, false, 0);
            }
            case UNKNOWN_KEY -> {
                listener.unknownKey(usage);
                responseObserver.onError(Status.NOT_FOUND
                        .withDescription("key " + usage.keyId() + " is not known to this sidecar")
                        .asRuntimeException());
            }
            case RESERVATION_OF_ANOTHER_KEY -> {
                listener.malformed(Source.REPORT, "reservation_id");
                responseObserver.onError(Status.INVALID_ARGUMENT
                        .withDescription("reservation_id: not a reservation of key " + usage.keyId())
                        .asRuntimeException());
            }
        }
    }

    private static void respond(StreamObserver<ReportResponse> out, boolean counted, long chargedMicroUsd) {
        out.onNext(ReportResponse.newBuilder()
                .setCounted(counted)
                .setChargedCostMicroUsd(chargedMicroUsd)
                .build());
        out.onCompleted();
    }

    /** The first invalid field, in field-number order, or {@code null}. */
    static Invalid validate(ReportRequest r) {
        if (r.getRequestId().isEmpty()) {
            return new Invalid("request_id", "required");
        }
        if (!UsageValues.isRequestId(r.getRequestId())) {
            return new Invalid("request_id",
                    "must be 1–" + UsageValues.MAX_REQUEST_ID_CHARS + " printable ASCII characters");
        }
        if (r.getKeyId().isEmpty()) {
            return new Invalid("key_id", "required");
        }
        if (!UsageValues.isKeyId(r.getKeyId())) {
            return new Invalid("key_id", "not a key id (key_…)");
        }
        if (!r.getReservationId().isEmpty()
                && !UsageValues.isPrintable(r.getReservationId(), UsageValues.MAX_RESERVATION_ID_CHARS)) {
            return new Invalid("reservation_id", "must be at most " + UsageValues.MAX_RESERVATION_ID_CHARS
                    + " printable ASCII characters");
        }
        if (!r.getModel().isEmpty() && !UsageValues.isPrintable(r.getModel(), UsageValues.MAX_MODEL_CHARS)) {
            return new Invalid("model", "must be at most " + UsageValues.MAX_MODEL_CHARS
                    + " printable ASCII characters");
        }
        Invalid amount = amount("input_tokens", r.getInputTokens());
        if (amount == null) {
            amount = amount("output_tokens", r.getOutputTokens());
        }
        if (amount == null && r.hasCostMicroUsd()) {
            amount = amount("cost_micro_usd", r.getCostMicroUsd());
        }
        return amount;
    }

    private static Invalid amount(String field, long value) {
        if (value < 0 || value > UsageValues.MAX_AMOUNT) {
            return new Invalid(field, "must be between 0 and " + UsageValues.MAX_AMOUNT + ", was " + value);
        }
        return null;
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    /** Which field is wrong and the rule it breaks. */
    record Invalid(String field, String rule) {
    }
}
