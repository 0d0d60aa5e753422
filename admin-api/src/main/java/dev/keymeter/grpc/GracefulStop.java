package dev.keymeter.grpc;

import io.grpc.Server;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The end of a graceful gRPC server stop, shared by the control plane and the sidecar: after
 * {@link Server#shutdown()}, in-flight calls get {@code grace} to finish; then the rest are cancelled.
 */
public final class GracefulStop {

    private GracefulStop() {
    }

    /** Waits up to {@code grace} for {@code server} (already shut down) to finish, then forces it. */
    public static void awaitOrForce(Server server, Duration grace) {
        try {
            if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
