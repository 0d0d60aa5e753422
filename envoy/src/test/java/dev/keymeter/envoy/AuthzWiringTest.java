package dev.keymeter.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * ext_authz and the access log reach keymeter's default ext_authz address over HTTP/2, and the
 * filter fails closed with an explicit timeout and a 503.
 */
class AuthzWiringTest {

    static final List<String> FILES = EnvoyConfigs.FILES;
    /** keymeter's default --authz-addr. */
    private static final String AUTHZ_ADDR = "127.0.0.1:9191";

    @ParameterizedTest
    @FieldSource("FILES")
    void extAuthz_failsClosedWithTimeoutAnd503(String file) throws InvalidProtocolBufferException {
        ExtAuthz authz = EnvoyConfigs.httpFilter(hcm(file), "envoy.filters.http.ext_authz", ExtAuthz.class);

        assertFalse(authz.getFailureModeAllow());
        assertEquals(503, authz.getStatusOnError().getCodeValue());
        assertEquals(ApiVersion.V3, authz.getTransportApiVersion());
        assertTrue(authz.getGrpcService().hasTimeout(), "explicit timeout");
        assertEquals(250_000_000, authz.getGrpcService().getTimeout().getNanos());
        assertEquals(8192, authz.getWithRequestBody().getMaxRequestBytes());
        assertTrue(authz.getWithRequestBody().getAllowPartialMessage());
        assertTrue(authz.getWithRequestBody().getPackAsBytes(), "a binary body must not make the Check request unreadable");
    }

    @ParameterizedTest
    @FieldSource("FILES")
    void extAuthzAndAccessLog_pointAtKeymeterOverHttp2(String file) throws InvalidProtocolBufferException {
        Bootstrap bootstrap = EnvoyConfigs.load(file);
        HttpConnectionManager hcm = EnvoyConfigs.connectionManager(bootstrap);
        GrpcService authz = EnvoyConfigs.httpFilter(hcm, "envoy.filters.http.ext_authz", ExtAuthz.class)
                .getGrpcService();
        assertEquals(1, hcm.getAccessLogCount());
        assertEquals("envoy.access_loggers.http_grpc", hcm.getAccessLog(0).getName());
        HttpGrpcAccessLogConfig log = hcm.getAccessLog(0).getTypedConfig().unpack(HttpGrpcAccessLogConfig.class);
        GrpcService logService = log.getCommonConfig().getGrpcService();

        for (GrpcService service : List.of(authz, logService)) {
            var cluster = EnvoyConfigs.cluster(bootstrap, service.getEnvoyGrpc().getClusterName());
            assertEquals(AUTHZ_ADDR, EnvoyConfigs.endpoint(cluster));
            HttpProtocolOptions options = cluster.getTypedExtensionProtocolOptionsMap()
                    .get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
                    .unpack(HttpProtocolOptions.class);
            assertTrue(options.getExplicitHttpConfig().hasHttp2ProtocolOptions(), "gRPC needs HTTP/2");
        }
        assertEquals("keymeter", log.getCommonConfig().getLogName());
        // The usage port takes the ingest token as gRPC metadata; Check (open by placement) gets none.
        assertEquals(1, logService.getInitialMetadataCount());
        assertEquals("x-keymeter-ingest-token", logService.getInitialMetadata(0).getKey());
        assertEquals("${KEYMETER_INGEST_TOKEN}", logService.getInitialMetadata(0).getValue());
        assertEquals(0, authz.getInitialMetadataCount(), "the token never goes to Check");
        assertEquals(ApiVersion.V3, log.getCommonConfig().getTransportApiVersion());
    }

    @ParameterizedTest
    @FieldSource("FILES")
    void httpFilters_stripIdentityHeadersBeforeExtAuthz_routerLast(String file) throws InvalidProtocolBufferException {
        HttpConnectionManager hcm = hcm(file);
        List<String> names = hcm.getHttpFiltersList().stream().map(HttpFilter::getName).collect(Collectors.toList());

        assertEquals("envoy.filters.http.header_mutation", names.get(0));
        assertTrue(names.indexOf("envoy.filters.http.ext_authz") == 1, names.toString());
        assertEquals("envoy.filters.http.router", names.get(names.size() - 1));
        assertTrue(hcm.getNormalizePath().getValue(), "normalize_path");
        assertTrue(hcm.getMergeSlashes(), "merge_slashes");
    }

    private static HttpConnectionManager hcm(String file) throws InvalidProtocolBufferException {
        return EnvoyConfigs.connectionManager(EnvoyConfigs.load(file));
    }
}
