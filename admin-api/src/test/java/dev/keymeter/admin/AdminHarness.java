package dev.keymeter.admin;

import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.CreateProjectResponse;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.store.StoreSpec;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real control plane (SQLite file in a temp dir, Netty gRPC server on a free port) and real stubs
 * that authenticate with a given token.
 */
final class AdminHarness implements AutoCloseable {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final Path dataDir;
    ControlPlane controlPlane;
    final String adminToken;
    private ManagedChannel channel;

    private final StoreSpec store;

    AdminHarness(Path dataDir) throws IOException {
        this(dataDir, null, null);
    }

    /**
     * A control plane on {@code store} ({@code null}: SQLite in {@code dataDir}); {@code adminToken}
     * {@code null} expects this start to bootstrap the store, else it is the token of a key the store
     * already holds (a second control plane on a shared store).
     */
    AdminHarness(Path dataDir, StoreSpec store, String adminToken) throws IOException {
        this.dataDir = dataDir;
        this.store = store;
        start();
        this.adminToken = adminToken != null ? adminToken : controlPlane.bootstrapKey().orElseThrow().token();
    }

    void start() throws IOException {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dataDir).withPort(0).withClock(clock)
                .withStore(store));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", controlPlane.port()).usePlaintext().build();
    }

    void restart() throws IOException {
        stop();
        start();
    }

    private void stop() {
        channel.shutdownNow();
        controlPlane.close();
    }

    /** A stub that sends {@code authorization: Bearer <token>}. */
    AdminServiceGrpc.AdminServiceBlockingStub as(String token) {
        Metadata md = new Metadata();
        md.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
        return AdminServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    AdminServiceGrpc.AdminServiceBlockingStub admin() {
        return as(adminToken);
    }

    AdminServiceGrpc.AdminServiceBlockingStub anonymous() {
        return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    CreateProjectResponse project(String id) {
        return admin().createProject(CreateProjectRequest.newBuilder().setProjectId(id).build());
    }

    CreateKeyResponse serviceKey(String project, String name) {
        return admin().createKey(CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId(project).setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build());
    }

    void advance(Duration d) {
        clock.advance(d);
    }

    /** Asserts the call fails with {@code code} and a description containing {@code fragment}. */
    static StatusRuntimeException assertStatus(io.grpc.Status.Code code, String fragment, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), () -> "description: " + e.getStatus().getDescription());
        assertTrue(String.valueOf(e.getStatus().getDescription()).contains(fragment),
                () -> "expected '" + fragment + "' in: " + e.getStatus().getDescription());
        return e;
    }

    @Override
    public void close() {
        stop();
    }
}
