package dev.keymeter.sidecar;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.ingest.IngestTokens;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the sidecar tests run against — a real control plane, a real sidecar, a channel to the
 * sidecar's port and an admin connection — and their shutdown after each test, in reverse order.
 */
abstract class SidecarProcesses {

    @TempDir
    Path dir;
    ControlPlane controlPlane;
    Sidecar sidecar;
    ManagedChannel authz;
    AdminConnection admin;

    @BeforeAll
    static void quietChronicle() {
        ChronicleFiles.disableAnalytics();
    }

    @AfterEach
    void stopProcesses() {
        if (authz != null) {
            authz.shutdownNow();
        }
        if (admin != null) {
            admin.close();
        }
        if (sidecar != null) {
            sidecar.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
    }

    /** The ingest token the sidecars of these tests accept on their usage ports. */
    static final String INGEST_TOKEN = IngestTokens.newToken();

    /** Sends {@link #INGEST_TOKEN} as Envoy's {@code initial_metadata} would. */
    static ClientInterceptor ingestToken() {
        return ingestToken(INGEST_TOKEN);
    }

    static ClientInterceptor ingestToken(String token) {
        io.grpc.Metadata m = new io.grpc.Metadata();
        m.put(io.grpc.Metadata.Key.of(IngestTokens.HEADER, io.grpc.Metadata.ASCII_STRING_MARSHALLER), token);
        return MetadataUtils.newAttachHeadersInterceptor(m);
    }

    /** A stub of the current control plane's admin API with the bootstrap key. */
    AdminServiceGrpc.AdminServiceBlockingStub admin() {
        if (admin == null) {
            admin = new AdminConnection(controlPlane);
        }
        return admin.stub();
    }
}
