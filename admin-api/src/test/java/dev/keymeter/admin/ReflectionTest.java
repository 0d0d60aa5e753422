package dev.keymeter.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API port answers gRPC server reflection in both versions tools speak: v1 (current grpcurl,
 * Postman, buf curl) and v1alpha (grpcurl before 1.8.8, older IDE plugins), without credentials.
 */
class ReflectionTest {

    private static final List<String> SERVICES = List.of("grpc.health.v1.Health",
            "keymeter.admin.v1.AdminService", "keymeter.replication.v1.ReplicationService");

    @TempDir
    Path dir;

    @Test
    void reflection_v1AndV1alpha_listTheSameServices() throws Exception {
        try (ControlPlane cp = ControlPlane.start(ControlPlaneConfig.defaults(dir).withPort(0))) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", cp.port()).usePlaintext().build();
            try {
                List<String> v1 = listServices(observer -> io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(observer),
                        io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build(),
                        (io.grpc.reflection.v1.ServerReflectionResponse r) -> r.getListServicesResponse()
                                .getServiceList().stream().map(s -> s.getName()).toList());
                List<String> v1alpha = listServices(observer -> io.grpc.reflection.v1alpha.ServerReflectionGrpc
                        .newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(observer),
                        io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build(),
                        (io.grpc.reflection.v1alpha.ServerReflectionResponse r) -> r.getListServicesResponse()
                                .getServiceList().stream().map(s -> s.getName()).toList());
                for (String service : SERVICES) {
                    assertEquals(true, v1.contains(service), service + " in " + v1);
                }
                assertEquals(v1.stream().sorted().toList(), v1alpha.stream().sorted().toList());
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /** One request on a new reflection stream and the names in its one answer. */
    static <Q, A> List<String> listServices(Function<StreamObserver<A>, StreamObserver<Q>> open, Q request,
            Function<A, List<String>> names) throws InterruptedException {
        return names.apply(OneStreamAnswer.of(open, request));
    }
}
