package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.OneStreamAnswer;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.GetKeyRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.OwnerType;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The sidecar as {@code keymeter serve} and {@code keymeter sidecar} assemble it, against a real
 * control plane: health follows the replica, Check follows the control plane, last-used times reach
 * the admin API, and a restarted sidecar serves its last known good replica while the control plane
 * is down.
 */
class SidecarTest extends SidecarProcesses {

    private void startControlPlane() throws IOException {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
    }

    private void startSidecar(ManagedChannel channel) throws IOException {
        sidecar = Sidecar.start(SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0), channel, "");
        authz = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
    }

    private CreateKeyResponse createKey() {
        admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        return admin().createKey(CreateKeyRequest.newBuilder().setName("svc").setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId("payments").setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build());
    }

    private CheckResponse check(String token) {
        return AdminConnection.chatCheck(authz, token, "");
    }

    /** True when Check allows {@code token}; false for a denial or while the sidecar is not ready. */
    private boolean allowed(String token) {
        try {
            return check(token).getStatus().getCode() == 0;
        } catch (StatusRuntimeException notReady) {
            return false;
        }
    }

    private ServingStatus health() {
        return HealthGrpc.newBlockingStub(authz).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    /** One request on a new reflection stream of the Check port, and its one response. */
    private ServerReflectionResponse reflect(ServerReflectionRequest request) throws InterruptedException {
        return OneStreamAnswer.of(observer -> ServerReflectionGrpc.newStub(authz)
                .withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(observer), request);
    }

    /** The services listed by reflection v1alpha (grpcurl before 1.8.8) on the Check port. */
    private List<String> reflectV1Alpha() throws InterruptedException {
        io.grpc.reflection.v1alpha.ServerReflectionResponse response = OneStreamAnswer.of(
                observer -> io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(authz)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(observer),
                io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
        return response.getListServicesResponse().getServiceList().stream()
                .map(io.grpc.reflection.v1alpha.ServiceResponse::getName).toList();
    }

    /** Bounded wait for asynchronous replication; fails the test after 30 s. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void serveShape_checkAllowsAfterLoad_andLastUsedReachesTheAdminApi() throws Exception {
        startControlPlane();
        CreateKeyResponse key = createKey();
        startSidecar(controlPlane.inProcessChannel());
        await("replica loaded", () -> sidecar.replica().isLoaded());
        await("health SERVING", () -> health() == ServingStatus.SERVING);
        await("key replicated", () -> allowed(key.getToken()));
        assertFalse(admin().getKey(GetKeyRequest.newBuilder().setKeyId(key.getKey().getId()).build()).hasLastUsedTime());

        sidecar.reportLastUsed();

        assertTrue(admin().getKey(GetKeyRequest.newBuilder().setKeyId(key.getKey().getId()).build()).hasLastUsedTime());
    }

    @Test
    void checkPort_servesReflection_describingCheckAndHealth() throws Exception {
        startControlPlane();
        startSidecar(controlPlane.inProcessChannel());

        List<String> services = reflect(ServerReflectionRequest.newBuilder().setListServices("").build())
                .getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList();
        assertTrue(services.contains("envoy.service.auth.v3.Authorization"), services.toString());
        assertTrue(services.contains("grpc.health.v1.Health"), services.toString());
        assertEquals(services.stream().sorted().toList(), reflectV1Alpha().stream().sorted().toList(),
                "v1alpha, for older tools, lists the same services");

        ServerReflectionResponse file = reflect(ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("envoy.service.auth.v3.Authorization").build());
        FileDescriptorProto proto = FileDescriptorProto.parseFrom(
                file.getFileDescriptorResponse().getFileDescriptorProto(0));
        ServiceDescriptorProto authorization = proto.getServiceList().stream()
                .filter(s -> s.getName().equals("Authorization")).findFirst().orElseThrow();
        MethodDescriptorProto check = authorization.getMethod(0);
        assertEquals("Check", check.getName());
        assertEquals(".envoy.service.auth.v3.CheckRequest", check.getInputType());
        assertEquals(".envoy.service.auth.v3.CheckResponse", check.getOutputType());
    }

    @Test
    void restartedSidecar_withControlPlaneDown_servesLastKnownGoodAtOnce() throws Exception {
        startControlPlane();
        CreateKeyResponse key = createKey();
        startSidecar(controlPlane.inProcessChannel());
        await("key replicated", () -> allowed(key.getToken()));
        sidecar.close();
        authz.shutdownNow();
        controlPlane.close();
        controlPlane = null;

        ManagedChannel nowhere = ManagedChannelBuilder.forAddress("127.0.0.1", 1).usePlaintext().build();
        try {
            startSidecar(nowhere);
            assertEquals(0, check(key.getToken()).getStatus().getCode());
            assertEquals(401, check("kms_" + "x".repeat(36)).getDeniedResponse().getStatus().getCodeValue());
            await("health SERVING once warmed up", () -> health() == ServingStatus.SERVING);
        } finally {
            sidecar.close();
            sidecar = null;
            nowhere.shutdownNow();
        }
    }

    @Test
    void unreadableReplica_isRebuilt_andDeniesUntilASnapshotArrives() throws Exception {
        Path replicaDir = dir.resolve("replica");
        Files.createDirectories(replicaDir);
        startControlPlane();
        CreateKeyResponse key = createKey();
        startSidecar(controlPlane.inProcessChannel());
        await("key replicated", () -> allowed(key.getToken()));
        sidecar.close();
        sidecar = null;
        try (var files = Files.list(replicaDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.write(f, new byte[4096]);
            }
        }
        ManagedChannel nowhere = ManagedChannelBuilder.forAddress("127.0.0.1", 1).usePlaintext().build();
        try {
            startSidecar(nowhere);
            assertFalse(sidecar.replica().isLoaded());
            assertEquals(ServingStatus.NOT_SERVING, health());
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> check(key.getToken()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        } finally {
            sidecar.close();
            sidecar = null;
            nowhere.shutdownNow();
        }
        startSidecar(controlPlane.inProcessChannel());
        await("snapshot loaded", () -> sidecar.replica().isLoaded());
        await("allowed again", () -> allowed(key.getToken()));
    }
}
