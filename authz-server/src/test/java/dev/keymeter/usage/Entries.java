package dev.keymeter.usage;

import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.RequestMethod;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Access-log entries and messages shaped as Envoy's {@code envoy.access_loggers.http_grpc} sends them
 * (envoy/envoy.yaml): ext_authz dynamic metadata in {@code common_properties.metadata}, {@code
 * x-request-id} in {@code request.request_id}, the configured usage headers / trailers in {@code
 * response.response_headers} / {@code response_trailers}, AI Gateway's metadata in its namespace.
 */
final class Entries {

    static final String KEY_A = "key_AAAAAAAAAAAAAAAAAAAA";
    static final String KEY_B = "key_BBBBBBBBBBBBBBBBBBBB";
    static final String KEY_UNKNOWN = "key_ZZZZZZZZZZZZZZZZZZZZ";

    private Entries() {
    }

    /** The first message of a stream: Envoy's identifier (node and log name) with the first batch. */
    static StreamAccessLogsMessage first(HTTPAccessLogEntry... entries) {
        return batch(entries).toBuilder()
                .setIdentifier(StreamAccessLogsMessage.Identifier.newBuilder()
                        .setNode(Node.newBuilder().setId("envoy-test-1").setCluster("gateway"))
                        .setLogName("keymeter"))
                .build();
    }

    /** A later message: one batch of HTTP entries, no identifier. */
    static StreamAccessLogsMessage batch(HTTPAccessLogEntry... entries) {
        StreamAccessLogsMessage.HTTPAccessLogEntries.Builder b = StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder();
        for (HTTPAccessLogEntry e : entries) {
            b.addLogEntry(e);
        }
        return StreamAccessLogsMessage.newBuilder().setHttpLogs(b).build();
    }

    static StreamAccessLogsMessage tcp() {
        return StreamAccessLogsMessage.newBuilder()
                .setTcpLogs(StreamAccessLogsMessage.TCPAccessLogEntries.newBuilder()
                        .addLogEntry(TCPAccessLogEntry.newBuilder()
                                .setCommonProperties(AccessLogCommon.newBuilder().setMetadata(Metadata.newBuilder()
                                        .putFilterMetadata(AccessLogService.EXT_AUTHZ_NAMESPACE,
                                                struct(Map.of("key_id", KEY_A)))))))
                .build();
    }

    static Entry entry(String requestId) {
        return new Entry(requestId);
    }

    static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    static Value number(double d) {
        return Value.newBuilder().setNumberValue(d).build();
    }

    static Struct struct(Map<String, ?> fields) {
        Struct.Builder b = Struct.newBuilder();
        fields.forEach((k, v) -> b.putFields(k, v instanceof Value value ? value : text((String) v)));
        return b.build();
    }

    /** One HTTP entry under construction. */
    static final class Entry {
        private final String requestId;
        private final Map<String, Object> authz = new LinkedHashMap<>();
        private final Map<String, Object> aiGateway = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, String> trailers = new LinkedHashMap<>();

        private Entry(String requestId) {
            this.requestId = requestId;
        }

        /** Allowed by keymeter: what Check's dynamic metadata holds for a project key. */
        Entry key(String keyId) {
            authz.put("key_id", keyId);
            authz.put("project_id", "proj-a");
            return this;
        }

        Entry authz(String field, Object value) {
            authz.put(field, value);
            return this;
        }

        Entry reservation(String id) {
            return authz("reservation_id", id);
        }

        Entry header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Entry trailer(String name, String value) {
            trailers.put(name, value);
            return this;
        }

        Entry aiGateway(String key, Object value) {
            aiGateway.put(key, value);
            return this;
        }

        HTTPAccessLogEntry build() {
            Metadata.Builder metadata = Metadata.newBuilder();
            if (!authz.isEmpty()) {
                metadata.putFilterMetadata(AccessLogService.EXT_AUTHZ_NAMESPACE, struct(authz));
            }
            if (!aiGateway.isEmpty()) {
                metadata.putFilterMetadata(UsageSettings.DEFAULT_AI_GATEWAY_NAMESPACE, struct(aiGateway));
            }
            HTTPRequestProperties.Builder request = HTTPRequestProperties.newBuilder()
                    .setRequestMethod(RequestMethod.POST)
                    .setAuthority("gateway.example")
                    .setPath("/v1/chat/completions");
            if (requestId != null) {
                request.setRequestId(requestId);
            }
            return HTTPAccessLogEntry.newBuilder()
                    .setProtocolVersion(HTTPAccessLogEntry.HTTPVersion.HTTP11)
                    .setCommonProperties(AccessLogCommon.newBuilder().setMetadata(metadata))
                    .setRequest(request)
                    .setResponse(HTTPResponseProperties.newBuilder()
                            .setResponseCode(UInt32Value.of(200))
                            .putAllResponseHeaders(headers)
                            .putAllResponseTrailers(trailers))
                    .build();
        }
    }
}
