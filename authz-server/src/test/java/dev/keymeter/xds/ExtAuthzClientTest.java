package dev.keymeter.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.keys.Resource;
import dev.keymeter.proto.admin.v1.AccessLevel;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.routes.ResourceAccess;
import dev.keymeter.routes.RouteRule;
import dev.keymeter.routes.RouteTable;
import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.sidecar.Sidecar;
import dev.keymeter.sidecar.SidecarConfig;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import dev.keymeter.tls.ClientTls;
import dev.keymeter.tls.ServerTlsFiles;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelRegistry;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * grpc-java's own ext_authz client ({@code io.grpc.xds.ExtAuthzFilter}, grpc-xds 1.85.1) in front of
 * a real backend, configured over ADS by an in-process java-control-plane server, calling a real
 * keymeter sidecar fed by a real control plane (design §4). What a gRPC client sees:
 *
 * <ul>
 *   <li>allowed: the call reaches the backend, which sees {@code x-keymeter-key-id} set by the
 *       sidecar (a client-sent copy is overwritten);
 *   <li>denied: grpc-java maps {@code denied_response.status} with {@code GrpcUtil.httpStatusToGrpcStatus}
 *       — 401 → {@code UNAUTHENTICATED}, 403 → {@code PERMISSION_DENIED} (a denial without
 *       {@code denied_response} would be {@code PERMISSION_DENIED}); the backend never sees the call.
 *       A 429 (a reached requests-per-minute limit) maps to {@code UNAVAILABLE}.
 * </ul>
 *
 * <p>gRPC clients send no {@code context_extensions} (any {@code ExtAuthzPerRoute} disables the filter
 * for that route in this client), so the sidecar's route table names the backend's resource: every
 * {@code /grpc.health.v1.Health/*} method needs {@code models} read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExtAuthzClientTest {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> KEY_ID = Metadata.Key.of("x-keymeter-key-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final String HEALTH_CHECK_PATH = "/grpc.health.v1.Health/Check";
    private static final int LIMITED_RPM = 3;

    @TempDir
    static Path dir;
    ControlPlane controlPlane;
    ManagedChannel adminChannel;
    Sidecar sidecar;
    ManagedChannel authz;
    Server backend;
    Server ads;
    RootContextChannelProvider rootContext;
    ManagedChannel xds;
    final HeaderRecorder seen = new HeaderRecorder();
    CreateKeyResponse fullKey;
    CreateKeyResponse restrictedKey;
    CreateKeyResponse limitedKey;
    /** The ext_authz client's TLS (null: plaintext). */
    ClientTls envoyTls;

    @BeforeAll
    void start() throws Exception {
        ChronicleFiles.disableAnalytics();
        // Read by ExtAuthzFilter.Provider.isClientFilter through FeatureFlags.getFlag: env, then property.
        System.setProperty("GRPC_EXPERIMENTAL_XDS_EXT_AUTHZ_ON_CLIENT", "true");
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
        admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        fullKey = createKey("full", Permissions.getDefaultInstance());
        restrictedKey = createKey("restricted", Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)
                .putResources("chat_completions", AccessLevel.ACCESS_LEVEL_WRITE).build());
        limitedKey = admin().createKey(CreateKeyRequest.newBuilder().setName("limited").setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId("payments").setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setLimits(Limits.newBuilder().setRequestsPerMinute(LIMITED_RPM)).build());
        startSidecar();
        backend = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), seen))
                .build().start();
        SimpleCache<String> cache = new SimpleCache<>(node -> "test");
        cache.setSnapshot("test", XdsResources.snapshot(sidecar.port(), backend.getPort()));
        ads = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl()).build().start();
        System.setProperty("io.grpc.xds.bootstrapConfig", XdsResources.bootstrap(ads.getPort(), sidecar.port(),
                envoyTls == null ? "insecure" : "tls"));
        rootContext = new RootContextChannelProvider(XdsResources.authzTarget(sidecar.port()),
                envoyTls == null ? null : envoyTls.credentials());
        ManagedChannelRegistry.getDefaultRegistry().register(rootContext);
        xds = Grpc.newChannelBuilder("xds:///" + XdsResources.LISTENER, InsecureChannelCredentials.create()).build();
    }

    private void startSidecar() throws Exception {
        RouteTable routes = RouteTable.defaults().with(List.of(new RouteRule(RouteRule.ANY_METHOD,
                "/grpc.health.v1.Health/*", ResourceAccess.of(Resource.MODELS, dev.keymeter.keys.AccessLevel.READ))));
        SidecarConfig d = SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0);
        SidecarConfig config = new SidecarConfig(d.replicaDir(), d.host(), d.port(), d.replicaCapacity(),
                d.check().withRoutes(routes), d.lastUsedInterval(), d.shutdownGrace(), d.clock(), d.metricsHost(),
                d.metricsPort(), d.budgets(), d.metricsKeySeries(), d.ingest(), sidecarTls(), null, d.bounds(),
                d.warmUp());
        sidecar = Sidecar.start(config, controlPlane.inProcessChannel(), "");
        authz = Grpc.newChannelBuilderForAddress("127.0.0.1", sidecar.port(),
                envoyTls == null ? InsecureChannelCredentials.create() : envoyTls.credentials()).build();
        await("replica loaded", () -> sidecar.replica().isLoaded());
        await("full key replicated", () -> directCheck(fullKey.getToken()) == 200);
        await("restricted key replicated", () -> directCheck(restrictedKey.getToken()) == 403);
        await("limited key replicated", () -> directCheck(limitedKey.getToken()) == 200);
    }

    /**
     * The sidecar's ext_authz listener: plaintext here; {@link ExtAuthzClientTlsIT} answers mTLS and
     * sets {@link #envoyTls}, the client certificate grpc-java's ext_authz channel presents.
     */
    ServerTlsFiles sidecarTls() throws java.io.IOException {
        return null;
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (envoyTls != null) {
            envoyTls.close();
        }
        if (xds != null) {
            xds.shutdownNow();
        }
        if (rootContext != null) {
            ManagedChannelRegistry.getDefaultRegistry().deregister(rootContext);
        }
        System.clearProperty("io.grpc.xds.bootstrapConfig");
        System.clearProperty("GRPC_EXPERIMENTAL_XDS_EXT_AUTHZ_ON_CLIENT");
        for (Server s : new Server[] {ads, backend}) {
            if (s != null) {
                s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        for (ManagedChannel c : new ManagedChannel[] {authz, adminChannel}) {
            if (c != null) {
                c.shutdownNow();
            }
        }
        if (sidecar != null) {
            sidecar.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
    }

    @Test
    void allowedKey_reachesBackend_withKeyIdHeader_andSpoofedCopyOverwritten() {
        seen.clear();

        ServingStatus status = callBackend("Bearer " + fullKey.getToken()).getStatus();

        assertEquals(ServingStatus.SERVING, status);
        Metadata headers = seen.last();
        assertNotNull(headers, "the backend saw no call");
        assertEquals(List.of(fullKey.getKey().getId()), values(headers.getAll(KEY_ID)));
        assertNull(headers.get(AUTHORIZATION), "the token reached the backend");
    }

    @Test
    void unknownToken_isUnauthenticated_andNeverReachesBackend() {
        seen.clear();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> callBackend("Bearer kms_" + "x".repeat(36)));

        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith("RPC denied by external authorization server"),
                e.getStatus().toString());
        assertNull(seen.last());
    }

    @Test
    void restrictedKeyWithoutBackendResource_isPermissionDenied_andNeverReachesBackend() {
        seen.clear();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> callBackend("Bearer " + restrictedKey.getToken()));

        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith("RPC denied by external authorization server"),
                e.getStatus().toString());
        assertNull(seen.last());
    }

    @Test
    void keyOverItsRequestsPerMinute_isUnavailable_andNeverReachesBackend() {
        // startSidecar's readiness probe used one admission of the window; use up the rest.
        for (int i = 1; i < LIMITED_RPM; i++) {
            seen.clear();
            assertEquals(ServingStatus.SERVING, callBackend("Bearer " + limitedKey.getToken()).getStatus());
            assertEquals(List.of(limitedKey.getKey().getId()), values(seen.last().getAll(KEY_ID)));
        }
        seen.clear();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> callBackend("Bearer " + limitedKey.getToken()));

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith("RPC denied by external authorization server"),
                e.getStatus().toString());
        assertNull(seen.last());
    }

    private io.grpc.health.v1.HealthCheckResponse callBackend(String authorization) {
        Metadata md = new Metadata();
        md.put(AUTHORIZATION, authorization);
        md.put(KEY_ID, "spoofed");
        return HealthGrpc.newBlockingStub(xds).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
    }

    private static List<String> values(Iterable<String> values) {
        List<String> out = new java.util.ArrayList<>();
        if (values != null) {
            values.forEach(out::add);
        }
        return out;
    }

    private AdminServiceGrpc.AdminServiceBlockingStub admin() {
        Metadata md = new Metadata();
        md.put(AUTHORIZATION, "Bearer " + controlPlane.bootstrapKey().orElseThrow().token());
        if (adminChannel == null) {
            adminChannel = Grpc.newChannelBuilderForAddress("127.0.0.1", controlPlane.port(),
                    InsecureChannelCredentials.create()).build();
        }
        return AdminServiceGrpc.newBlockingStub(adminChannel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private CreateKeyResponse createKey(String name, Permissions permissions) {
        return admin().createKey(CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId("payments").setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).setPermissions(permissions)
                .build());
    }

    /** The HTTP status the sidecar answers for the backend's path (200 for allow), or -1 while not ready. */
    private int directCheck(String token) {
        AttributeContext.HttpRequest http = AttributeContext.HttpRequest.newBuilder().setMethod("POST")
                .setPath(HEALTH_CHECK_PATH).putHeaders("authorization", "Bearer " + token).build();
        try {
            CheckResponse r = AuthorizationGrpc.newBlockingStub(authz).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
                            .setRequest(AttributeContext.Request.newBuilder().setHttp(http))).build());
            return r.getStatus().getCode() == 0 ? 200 : r.getDeniedResponse().getStatus().getCodeValue();
        } catch (StatusRuntimeException notReady) {
            return -1;
        }
    }

    /** Bounded wait for asynchronous replication; fails after 30 s. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
