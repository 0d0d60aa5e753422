package dev.keymeter.xds;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import java.util.List;

/**
 * The xDS resources that put grpc-java's ext_authz filter in front of one backend: a Listener whose
 * ApiListener holds an HttpConnectionManager (ext_authz, then router), its RouteConfiguration (every
 * path to one cluster, no {@code ExtAuthzPerRoute}: any per-route config disables the filter for that
 * route in grpc-java 1.85.1), an EDS Cluster and its ClusterLoadAssignment.
 */
final class XdsResources {

    static final String LISTENER = "keymeter-backend";
    private static final String ROUTE = "keymeter-backend-route";
    private static final String CLUSTER = "keymeter-backend-cluster";

    private XdsResources() {
    }

    /** The {@code google_grpc} target grpc-java dials for Check; it must be in {@code allowed_grpc_services}. */
    static String authzTarget(int sidecarPort) {
        return "dns:///127.0.0.1:" + sidecarPort;
    }

    static Snapshot snapshot(int sidecarPort, int backendPort) {
        return Snapshot.create(List.of(cluster()), List.of(endpoints(backendPort)), List.of(listener(sidecarPort)),
                List.of(routes()), List.of(), "1");
    }

    private static ConfigSource ads() {
        return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())
                .setResourceApiVersion(ApiVersion.V3).build();
    }

    /**
     * No {@code channel_credentials_plugin} (the api jar 1.0.49 predates the field): from a server not
     * marked {@code trusted_xds_server}, grpc-java takes the channel credentials from the bootstrap's
     * {@code allowed_grpc_services} entry for the target.
     */
    static ExtAuthz extAuthz(int sidecarPort) {
        GrpcService.GoogleGrpc google = GrpcService.GoogleGrpc.newBuilder().setTargetUri(authzTarget(sidecarPort))
                .setStatPrefix("keymeter").build();
        return ExtAuthz.newBuilder()
                .setGrpcService(GrpcService.newBuilder().setGoogleGrpc(google).setTimeout(Durations.fromSeconds(5)))
                .setTransportApiVersion(ApiVersion.V3)
                .setFailureModeAllow(false)
                .setStatusOnError(HttpStatus.newBuilder().setCode(StatusCode.ServiceUnavailable))
                .build();
    }

    private static Listener listener(int sidecarPort) {
        HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
                .setRds(Rds.newBuilder().setConfigSource(ads()).setRouteConfigName(ROUTE))
                .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.ext_authz")
                        .setTypedConfig(Any.pack(extAuthz(sidecarPort))))
                .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
                        .setTypedConfig(Any.pack(Router.getDefaultInstance())))
                .build();
        return Listener.newBuilder().setName(LISTENER)
                .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm))).build();
    }

    private static RouteConfiguration routes() {
        Route all = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix(""))
                .setRoute(RouteAction.newBuilder().setCluster(CLUSTER)).build();
        return RouteConfiguration.newBuilder().setName(ROUTE)
                .addVirtualHosts(VirtualHost.newBuilder().setName("backend").addDomains("*").addRoutes(all)).build();
    }

    private static Cluster cluster() {
        return Cluster.newBuilder().setName(CLUSTER).setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()))
                .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN).build();
    }

    private static ClusterLoadAssignment endpoints(int backendPort) {
        SocketAddress address = SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(backendPort).build();
        LbEndpoint endpoint = LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder()
                .setAddress(io.envoyproxy.envoy.config.core.v3.Address.newBuilder().setSocketAddress(address))).build();
        return ClusterLoadAssignment.newBuilder().setClusterName(CLUSTER)
                .addEndpoints(LocalityLbEndpoints.newBuilder().setLocality(Locality.newBuilder().setRegion("local"))
                        .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(1)).addLbEndpoints(endpoint))
                .build();
    }

    /** The xDS bootstrap: our ADS server (not trusted) and the authz target in {@code allowed_grpc_services}. */
    static String bootstrap(int adsPort, int sidecarPort) {
        return bootstrap(adsPort, sidecarPort, "insecure");
    }

    /** As above, the authz target's channel credentials of {@code type}: {@code insecure} or {@code tls}. */
    static String bootstrap(int adsPort, int sidecarPort, String type) {
        return """
                {
                  "xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                                   "server_features": ["xds_v3"]}],
                  "node": {"id": "keymeter-ext-authz-test", "cluster": "test"},
                  "allowed_grpc_services": {"%s": {"channel_creds": [{"type": "%s"}]}}
                }
                """.formatted(adsPort, authzTarget(sidecarPort), type);
    }
}
