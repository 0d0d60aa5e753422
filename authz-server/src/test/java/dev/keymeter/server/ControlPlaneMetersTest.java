package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.admin.v1.ListKeysRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane's bounds as Prometheus scrapes them, next to {@code keymeter_store_up}. */
class ControlPlaneMetersTest {

    @TempDir
    Path dir;

    @Test
    void scrape_afterARefusedCall_showsTheBoundsMetrics() throws Exception {
        try (ControlPlane cp = ControlPlane.start(ControlPlaneConfig.defaults(dir).withPort(0))) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ControlPlaneMeters.register(cp, registry);
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", cp.port()).usePlaintext().build();
            try {
                try {
                    AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .listKeys(ListKeysRequest.getDefaultInstance());
                } catch (StatusRuntimeException expected) {
                    // no key: refused, counted
                }
            } finally {
                channel.shutdownNow();
            }

            String text = registry.scrape();

            for (String line : new String[] {"keymeter_watch_streams_active 0.0",
                    "keymeter_watch_streams_refused_total 0.0", "keymeter_watch_streams_slow_cancelled_total 0.0",
                    "keymeter_admin_calls_refused_total{reason=\"unauthenticated\"} 1.0",
                    "keymeter_admin_calls_refused_total{reason=\"permission_denied\"} 0.0",
                    "keymeter_store_disk_full 0.0", "keymeter_usage_history_keys 0.0",
                    "keymeter_usage_history_refused_total 0.0"}) {
                assertTrue(text.contains(line), () -> line + " not in:\n" + text);
            }
        }
    }
}
