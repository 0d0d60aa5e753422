package dev.keymeter.usage;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.keymeter.usage.UsageRecord.Source;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Envoy's gRPC access log ({@code envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs}): the
 * usage of finished requests, charged to the keys Check identified. Envoy opens one client stream per
 * worker and logger, names itself in the first message ({@code identifier.log_name}, {@code keymeter}
 * in our configs) and then sends batches of entries; there are no acknowledgements (design §4), so the
 * service never answers an entry, it only settles it through the {@link UsageSink}. TCP entries are
 * ignored.
 *
 * <p><b>One HTTP entry.</b>
 * <ol>
 *   <li>The key: {@code common_properties.metadata.filter_metadata["envoy.filters.http.ext_authz"]},
 *       where Check's dynamic metadata lands: {@code key_id}, and optionally {@code reservation_id} and
 *       {@code model}. No {@code key_id} (anonymous, or not through keymeter), or a
 *       {@code denial_reason} (keymeter refused it, nothing went upstream): <em>unmatched</em>,
 *       skipped.</li>
 *   <li>The request id: {@code request.request_id} (Envoy's {@code x-request-id}), the idempotency key
 *       shared with {@code Report}. One that is not 1–128 printable ASCII characters is dropped
 *       (the usage is still counted, just not de-duplicated): a client must not be able to escape
 *       charging by sending an odd {@code x-request-id}.</li>
 *   <li>The usage, each of input tokens, output tokens and cost taken separately from the first place
 *       that has it, in this order: the response <b>trailer</b>, the response <b>header</b>
 *       ({@link UsageSettings} names), then — tokens only — AI Gateway's dynamic metadata
 *       ({@link UsageSettings#aiGatewayNamespace()}). Trailers win over headers because they are
 *       written after the body: a streamed response can only know its final usage at the end, and any
 *       header value sent before the body is at best an early figure. Taking each value separately lets
 *       an upstream send input tokens in a header (known before streaming) and output tokens in a
 *       trailer. The first value found decides: if it is malformed, the entry is malformed (there is no
 *       silent fallback to a lower-precedence value). A missing token count is 0 when another value is
 *       present; a missing cost means "price the tokens" ({@link UsageRecord#UNKNOWN_COST}).</li>
 *   <li>The model: AI Gateway's {@link UsageSettings#aiGatewayModelKey()} (the model actually served,
 *       after any override), else Check's {@code model}, else none. A model value that is not short
 *       printable ASCII is ignored rather than skipping the entry: a client choosing the model name
 *       must not be able to escape charging.</li>
 * </ol>
 *
 * <p><b>No usage.</b> An entry of a key with none of the three values is <em>not</em> settled, not
 * even at zero, and counted as "no usage": a missing usage report must never under-count. When Check
 * made a reservation for it, the reservation is left to expire and is charged as reserved.
 *
 * <p><b>Malformed.</b> A value that is present but not a non-negative integer (tokens) or a plain decimal
 * USD amount (cost), or a {@code key_id} of the wrong shape: the entry is skipped (with a reservation,
 * that again means charged as reserved), counted, and reported in one warning line per 10 s that names
 * the key id and the field, never the value. Nothing a client sends can throw out of the stream.
 *
 * <p>Never blocks (suitable for a {@code directExecutor} server) provided the sink does not.
 * Thread-safe: one instance serves every stream.
 */
public final class AccessLogService extends AccessLogServiceGrpc.AccessLogServiceImplBase {

    /** Where Envoy puts {@code CheckResponse.dynamic_metadata}. */
    static final String EXT_AUTHZ_NAMESPACE = ExtAuthzMetadata.NAMESPACE;
    /** The fields Check writes there. */
    static final String KEY_ID = ExtAuthzMetadata.KEY_ID;
    static final String RESERVATION_ID = ExtAuthzMetadata.RESERVATION_ID;
    static final String MODEL = ExtAuthzMetadata.MODEL;
    static final String DENIAL_REASON = ExtAuthzMetadata.DENIAL_REASON;

    static final long WARNING_INTERVAL_MILLIS = 10_000;

    private static final Logger LOG = System.getLogger("keymeter.usage");

    private final UsageSink sink;
    private final UsageSettings settings;
    private final IngestionListener listener;
    private final WarningLimiter malformedWarnings;
    private final WarningLimiter failureWarnings;

    public AccessLogService(UsageSink sink, UsageSettings settings, IngestionListener listener) {
        this(sink, settings, listener, System::currentTimeMillis);
    }

    AccessLogService(UsageSink sink, UsageSettings settings, IngestionListener listener, LongSupplier nowMillis) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.malformedWarnings = new WarningLimiter(WARNING_INTERVAL_MILLIS, nowMillis);
        this.failureWarnings = new WarningLimiter(WARNING_INTERVAL_MILLIS, nowMillis);
    }

    @Override
    public StreamObserver<StreamAccessLogsMessage> streamAccessLogs(
            StreamObserver<StreamAccessLogsResponse> responseObserver) {
        return new StreamObserver<>() {
            @Override
            public void onNext(StreamAccessLogsMessage message) {
                if (message.getLogEntriesCase() != StreamAccessLogsMessage.LogEntriesCase.HTTP_LOGS) {
                    return; // TCP entries, or an identifier-only message
                }
                for (HTTPAccessLogEntry entry : message.getHttpLogs().getLogEntryList()) {
                    handle(entry);
                }
            }

            @Override
            public void onError(Throwable t) {
                // Envoy went away (restart, reconnect): the call is already closed, nothing to answer.
            }

            @Override
            public void onCompleted() {
                responseObserver.onNext(StreamAccessLogsResponse.getDefaultInstance());
                responseObserver.onCompleted();
            }
        };
    }

    /** Settles one entry, or counts why not. Never throws. */
    void handle(HTTPAccessLogEntry entry) {
        listener.received(Source.ACCESS_LOG);
        String keyId = null;
        try {
            Map<String, Struct> filterMetadata = entry.getCommonProperties().getMetadata().getFilterMetadataMap();
            Struct authz = filterMetadata.get(EXT_AUTHZ_NAMESPACE);
            Map<String, Value> authzFields = authz == null ? Map.of() : authz.getFieldsMap();
            Value key = authzFields.get(KEY_ID);
            if (isMissing(key) || authzFields.containsKey(DENIAL_REASON)) {
                listener.unmatched(Source.ACCESS_LOG);
                return;
            }
            if (key.getKindCase() != Value.KindCase.STRING_VALUE || !UsageValues.isKeyId(key.getStringValue())) {
                malformed(null, KEY_ID, "not a key id");
                return;
            }
            keyId = key.getStringValue();

            String reservationId = null;
            Value reservation = authzFields.get(RESERVATION_ID);
            if (!isMissing(reservation)) {
                if (reservation.getKindCase() != Value.KindCase.STRING_VALUE
                        || !UsageValues.isPrintable(reservation.getStringValue(), UsageValues.MAX_RESERVATION_ID_CHARS)) {
                    malformed(keyId, RESERVATION_ID, "not a reservation id");
                    return;
                }
                reservationId = reservation.getStringValue();
            }

            Struct aiGateway = filterMetadata.get(settings.aiGatewayNamespace());
            Map<String, Value> aiFields = aiGateway == null ? Map.of() : aiGateway.getFieldsMap();
            HTTPResponseProperties response = entry.getResponse();
            Map<String, String> headers = response.getResponseHeadersMap();
            Map<String, String> trailers = response.getResponseTrailersMap();

            long input = tokens(trailers, headers, settings.inputTokensHeader(), aiFields,
                    settings.aiGatewayInputTokensKey());
            if (input == UsageValues.MALFORMED) {
                malformed(keyId, tokensField(trailers, headers, settings.inputTokensHeader(),
                        settings.aiGatewayInputTokensKey()), "not a token count");
                return;
            }
            long output = tokens(trailers, headers, settings.outputTokensHeader(), aiFields,
                    settings.aiGatewayOutputTokensKey());
            if (output == UsageValues.MALFORMED) {
                malformed(keyId, tokensField(trailers, headers, settings.outputTokensHeader(),
                        settings.aiGatewayOutputTokensKey()), "not a token count");
                return;
            }
            String costName = settings.costUsdHeader();
            long cost = UsageValues.costMicroUsd(trailers.containsKey(costName) ? trailers.get(costName)
                    : headers.get(costName));
            if (cost == UsageValues.MALFORMED) {
                malformed(keyId, costName, "not a decimal USD amount");
                return;
            }
            if (input == UsageValues.ABSENT && output == UsageValues.ABSENT && cost == UsageValues.ABSENT) {
                listener.noUsage(Source.ACCESS_LOG, keyId, reservationId != null);
                return;
            }

            String requestId = entry.getRequest().getRequestId();
            UsageRecord usage = new UsageRecord(UsageValues.isRequestId(requestId) ? requestId : null, keyId,
                    reservationId, model(aiFields.get(settings.aiGatewayModelKey()), authzFields.get(MODEL)),
                    Math.max(input, 0), Math.max(output, 0),
                    cost == UsageValues.ABSENT ? UsageRecord.UNKNOWN_COST : cost, Source.ACCESS_LOG);
            Settlement settlement = sink.settle(usage);
            switch (settlement.outcome()) {
                case COUNTED -> listener.counted(usage, settlement);
                case DUPLICATE -> listener.duplicate(usage);
                case UNKNOWN_KEY -> listener.unknownKey(usage);
                case RESERVATION_OF_ANOTHER_KEY -> malformed(keyId, RESERVATION_ID, "names another key's reservation");
            }
        } catch (RuntimeException e) {
            listener.failed(Source.ACCESS_LOG, e);
            long skipped = failureWarnings.tryLine();
            if (skipped != WarningLimiter.SUPPRESSED) {
                LOG.log(Level.WARNING, "access log entry failed key_id=" + (keyId == null ? "-" : keyId)
                        + suppressedSuffix(skipped), e);
            }
        }
    }

    /** Trailer, then header, then AI Gateway metadata: the first that is present decides. */
    private static long tokens(Map<String, String> trailers, Map<String, String> headers, String name,
            Map<String, Value> aiFields, String aiKey) {
        long n = UsageValues.tokens(trailers.get(name));
        if (n != UsageValues.ABSENT) {
            return n;
        }
        n = UsageValues.tokens(headers.get(name));
        if (n != UsageValues.ABSENT) {
            return n;
        }
        return UsageValues.tokens(aiFields.get(aiKey));
    }

    /**
     * The name of the field {@link #tokens} took its value from: the header/trailer name, or
     * {@code <namespace>/<key>} for AI Gateway metadata. Names from the settings only.
     */
    private String tokensField(Map<String, String> trailers, Map<String, String> headers, String name,
            String aiKey) {
        return trailers.containsKey(name) || headers.containsKey(name) ? name
                : settings.aiGatewayNamespace() + "/" + aiKey;
    }

    private static String model(Value... candidates) {
        for (Value v : candidates) {
            if (v != null && v.getKindCase() == Value.KindCase.STRING_VALUE
                    && UsageValues.isPrintable(v.getStringValue(), UsageValues.MAX_MODEL_CHARS)) {
                return v.getStringValue();
            }
        }
        return null;
    }

    private static boolean isMissing(Value v) {
        return v == null
                || v.getKindCase() == Value.KindCase.NULL_VALUE
                || v.getKindCase() == Value.KindCase.KIND_NOT_SET
                || (v.getKindCase() == Value.KindCase.STRING_VALUE && v.getStringValue().isEmpty());
    }

    /**
     * Counts and (rate-limited) reports a skipped entry. {@code keyId} is {@code null} or a validated
     * key id; {@code field} is a setting or metadata key name; {@code problem} is a fixed phrase. No
     * value from the entry is ever part of the line.
     */
    private void malformed(String keyId, String field, String problem) {
        listener.malformed(Source.ACCESS_LOG, field);
        long skipped = malformedWarnings.tryLine();
        if (skipped != WarningLimiter.SUPPRESSED) {
            LOG.log(Level.WARNING, "access log entry skipped: " + field + " " + problem + " key_id="
                    + (keyId == null ? "-" : keyId) + suppressedSuffix(skipped));
        }
    }

    static String suppressedSuffix(long skipped) {
        return skipped > 0 ? " suppressed_since_last=" + skipped : "";
    }
}
