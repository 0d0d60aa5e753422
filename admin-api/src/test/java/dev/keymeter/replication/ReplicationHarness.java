package dev.keymeter.replication;

import dev.keymeter.admin.MutableClock;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.CreateProjectResponse;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.replication.v1.ReplicationServiceGrpc;
import dev.keymeter.proto.replication.v1.WatchRequest;
import dev.keymeter.store.StoreReader;
import dev.keymeter.store.StoreSpec;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A real control plane (SQLite in a temp dir, Netty on a free port) and real stubs: the admin API
 * to make changes, Watch to observe them.
 */
final class ReplicationHarness implements AutoCloseable {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final ControlPlane controlPlane;
    final String adminToken;
    private final ManagedChannel channel;
    private boolean controlPlaneStopped;

    ReplicationHarness(Path dataDir, ReplicationSettings settings) throws IOException {
        this(dataDir, settings, null, null);
    }

    /**
     * A control plane on {@code store} ({@code null}: SQLite in {@code dataDir}); {@code adminToken}
     * {@code null} expects this start to bootstrap the store, else it is the token of a key the store
     * already holds (a second control plane on a shared store).
     */
    ReplicationHarness(Path dataDir, ReplicationSettings settings, StoreSpec store, String adminToken)
            throws IOException {
        this(dataDir, settings, store, adminToken, UnaryOperator.identity());
    }

    /** As above, with {@code more} applied to the configuration last (e.g. a disk reserve). */
    ReplicationHarness(Path dataDir, ReplicationSettings settings, StoreSpec store, String adminToken,
            UnaryOperator<ControlPlaneConfig> more) throws IOException {
        controlPlane = ControlPlane.start(more.apply(ControlPlaneConfig.defaults(dataDir).withPort(0).withClock(clock)
                .withReplication(settings).withStore(store)));
        this.adminToken = adminToken != null ? adminToken : controlPlane.bootstrapKey().orElseThrow().token();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", controlPlane.port()).usePlaintext().build();
    }

    /** Heartbeats that a test never waits for unless it means to. */
    ReplicationHarness(Path dataDir) throws IOException {
        this(dataDir, ReplicationSettings.defaults().withHeartbeatInterval(Duration.ofMinutes(10)));
    }

    static Metadata bearer(String token) {
        Metadata md = new Metadata();
        md.put(AUTHORIZATION, "Bearer " + token);
        return md;
    }

    AdminServiceGrpc.AdminServiceBlockingStub admin() {
        return AdminServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(adminToken)))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** Starts a Watch call as {@code token} ({@code null}: no authorization header). */
    WatchRecorder watch(String token, long appliedRevision, boolean manualFlow) {
        WatchRecorder recorder = new WatchRecorder(manualFlow);
        ReplicationServiceGrpc.ReplicationServiceStub stub = ReplicationServiceGrpc.newStub(channel);
        if (token != null) {
            stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)));
        }
        stub.watch(WatchRequest.newBuilder().setAppliedRevision(appliedRevision).setSidecarId("test-sidecar").build(),
                recorder);
        return recorder;
    }

    WatchRecorder watch(long appliedRevision) {
        return watch(adminToken, appliedRevision, false);
    }

    CreateProjectResponse project(String id) {
        return admin().createProject(CreateProjectRequest.newBuilder().setProjectId(id).build());
    }

    CreateKeyResponse serviceKey(String project, String name) {
        return admin().createKey(CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId(project).setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build());
    }

    /** What sidecars follow Watch with: a key of kind SIDECAR. */
    CreateKeyResponse sidecarCredential(String name) {
        return admin().createKey(CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_SIDECAR)
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build());
    }

    /** A stub of the sidecar report service as {@code token}. */
    dev.keymeter.proto.replication.v1.SidecarReportServiceGrpc.SidecarReportServiceBlockingStub reports(String token) {
        return dev.keymeter.proto.replication.v1.SidecarReportServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** A stub of the admin API as {@code token}. */
    AdminServiceGrpc.AdminServiceBlockingStub admin(String token) {
        return AdminServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    CreateKeyResponse readOnlyAdminKey(String name) {
        return admin().createKey(CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_ADMIN)
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setPermissions(Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY))
                .build());
    }

    long currentRevision() {
        return controlPlane.store().read(StoreReader::currentRevision);
    }

    long keyCount() {
        return controlPlane.store().read(StoreReader::keyCount);
    }

    /** Closes the control plane while the channel stays open, as a control-plane restart looks to sidecars. */
    void stopControlPlane() {
        controlPlaneStopped = true;
        controlPlane.close();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        if (!controlPlaneStopped) {
            controlPlane.close();
        }
    }
}
