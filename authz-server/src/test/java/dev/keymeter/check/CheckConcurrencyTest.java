package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.replica.KeyReplica;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Check keeps per-request state in per-thread scratch (header scan, token bytes, replica entry, cached
 * allowed responses). Many server threads deciding at once for different keys must each answer for
 * their own request: every allowed response names the key whose token it carried.
 */
class CheckConcurrencyTest {

    @TempDir
    Path dir;

    @Test
    void check_manyThreadsManyKeys_everyAnswerNamesItsOwnKey() throws Exception {
        try (var replica = ChronicleKeyReplica.open(dir, 1_024)) {
            assertEveryAnswerNamesItsOwnKey(replica, 16);
        }
    }

    /**
     * The same through the hot-entry cache with one set of eight ways and five times as many keys:
     * slots are refilled all the time, while other threads claim and read the replies remembered in
     * them and the hints beside them ({@code ReplicaEntry.memoHint}).
     */
    @Test
    void check_throughATinyHotCache_refilledWhileClaiming_everyAnswerNamesItsOwnKey() throws Exception {
        try (var replica = new CachingKeyReplica(ChronicleKeyReplica.open(dir, 1_024), 8)) {
            assertEveryAnswerNamesItsOwnKey(replica, 40);
        }
    }

    private static void assertEveryAnswerNamesItsOwnKey(KeyReplica replica, int keys) throws Exception {
        int threads = 6;
        int perThread = 1_500;
        ExecutorService serverThreads = Executors.newFixedThreadPool(4);
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        try {
            replica.beginSnapshot(1);
            List<String> tokens = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                String token = k % 2 == 0 ? TestKeys.userToken() : "legacy-token-number-" + k;
                tokens.add(token);
                replica.upsert((k % 3 == 0 ? TestKeys.adminKey("key_" + k, token) : TestKeys.projectKey("key_" + k, token)
                        .setProjectId("proj_" + k)).build());
            }
            replica.endSnapshot(1);
            String name = InProcessServerBuilder.generateName();
            Server server = InProcessServerBuilder.forName(name).executor(serverThreads)
                    .addService(new CheckService(replica, Clock.systemUTC(), CheckSettings.defaults(), replica::isLoaded))
                    .build().start();
            ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
            try {
                var stub = AuthorizationGrpc.newBlockingStub(channel);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    results.add(clients.submit(() -> {
                        start.await();
                        int mismatches = 0;
                        for (int i = 0; i < perThread; i++) {
                            int k = (i * 7 + thread) % keys;
                            CheckResponse r = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                                    .check(Requests.bearer("POST", "/v1/embeddings", tokens.get(k)));
                            String project = k % 3 == 0 ? null : "proj_" + k;
                            boolean ok = ("key_" + k).equals(Answers.header(r.getOkResponse().getHeadersList(), "x-keymeter-key-id"))
                                    && java.util.Objects.equals(project, Answers.metadata(r, DynamicMetadata.PROJECT_ID));
                            mismatches += ok ? 0 : 1;
                        }
                        return mismatches;
                    }));
                }
                start.countDown();
                for (Future<Integer> f : results) {
                    assertEquals(0, f.get(2, TimeUnit.MINUTES));
                }
            } finally {
                channel.shutdownNow();
                server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
            serverThreads.shutdownNow();
        }
    }
}
