package dev.keymeter.envoy;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads the module's Envoy bootstraps the strict way: YAML to JSON (SnakeYAML, then Gson), then
 * protobuf's JSON parser without {@code ignoringUnknownFields}, with every {@code typed_config}
 * type in the registry so that fields inside {@code Any} are checked too. A misspelled field
 * anywhere fails the parse, as it fails Envoy's start.
 */
final class EnvoyConfigs {

    /** The bootstraps this module ships, relative to the module directory (surefire's cwd). */
    static final List<String> FILES = List.of("envoy.yaml", "envoy-ai-gateway.yaml");

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
            .add(HttpConnectionManager.getDescriptor())
            .add(HeaderMutation.getDescriptor())
            .add(ExtAuthz.getDescriptor())
            .add(ExtAuthzPerRoute.getDescriptor())
            .add(ExternalProcessor.getDescriptor())
            .add(Router.getDescriptor())
            .add(HttpGrpcAccessLogConfig.getDescriptor())
            .add(HttpProtocolOptions.getDescriptor())
            .add(UpstreamTlsContext.getDescriptor())
            .build();

    private EnvoyConfigs() {
    }

    static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Bootstrap load(String file) throws InvalidProtocolBufferException {
        return parse(read(file));
    }

    static Bootstrap parse(String yaml) throws InvalidProtocolBufferException {
        Map<String, Object> tree = new Yaml().load(yaml);
        Bootstrap.Builder builder = Bootstrap.newBuilder();
        JsonFormat.parser().usingTypeRegistry(TYPES).merge(GSON.toJson(tree), builder);
        return builder.build();
    }

    /** The HTTP connection manager of the first listener's first filter chain. */
    static HttpConnectionManager connectionManager(Bootstrap bootstrap) throws InvalidProtocolBufferException {
        Filter filter = bootstrap.getStaticResources().getListeners(0).getFilterChains(0).getFilters(0);
        return filter.getTypedConfig().unpack(HttpConnectionManager.class);
    }

    /** The typed_config of the named HTTP filter. */
    static <T extends Message> T httpFilter(HttpConnectionManager hcm, String name, Class<T> type)
            throws InvalidProtocolBufferException {
        Any config = hcm.getHttpFiltersList().stream()
                .filter(f -> f.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no http filter " + name))
                .getTypedConfig();
        return config.unpack(type);
    }

    static Cluster cluster(Bootstrap bootstrap, String name) {
        return bootstrap.getStaticResources().getClustersList().stream()
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no cluster " + name));
    }

    /** The single endpoint of a static cluster, as host:port. */
    static String endpoint(Cluster cluster) {
        SocketAddress address = cluster.getLoadAssignment().getEndpoints(0).getLbEndpoints(0)
                .getEndpoint().getAddress().getSocketAddress();
        return address.getAddress() + ":" + address.getPortValue();
    }
}
