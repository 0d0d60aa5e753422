package dev.keymeter.replica;

import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckSettings;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.time.Clock;
import static dev.keymeter.replica.ReplicationClientTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.store.PostgresServer;
import dev.keymeter.store.StoreSpec;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.DisableKeyRequest;
import dev.keymeter.proto.admin.v1.EnableKeyRequest;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One run of revocations, shared by {@link RevocationPropagationTest} (each revocation reaches Check;
 * part of the suite) and {@link RevocationPropagationBenchmarkTest} (how fast; run on purpose): for each
 * key, the time from RevokeKey returning to the admin client until the sidecar's Check decision (over
 * the cached replica, as the sidecar composes it) answers 401 for that key. The measuring thread
 * calls Check in a tight loop: a measurement, not a wait for time.
 *
 * <p>With contenders, that many threads commit other changes as fast as the store takes them (each
 * disables and re-enables a key of its own), so every revocation queues behind other commits and the
 * Watch stream reads several commits per batch: the conditions under which a batch once ended short
 * of the revocation's revision (see {@code ChangeBatch}).
 */
final class RevocationPropagation {

    /** Held so the level set below stays set (JUL keeps loggers weakly). */
    private static final Logger AUDIT_LOG = Logger.getLogger("keymeter.audit");

    /** What one run saw: per key, [0] from RevokeKey's return and [1] from its call; other commits. */
    record Result(long[] fromReturn, long[] fromCall, long otherCommits) {

        String summary(String name) {
            return RevocationPropagation.summary(name, fromReturn)
                    + System.lineSeparator() + RevocationPropagation.summary(name + "_from_call_start", fromCall)
                    + (otherCommits > 0 ? " other_commits=" + otherCommits : "");
        }
    }

    private RevocationPropagation() {
    }

    /** Revokes {@code keys} keys one by one on one control plane while {@code contenders} threads commit. */
    static Result run(Path dir, int keys, int contenders) throws Exception {
        try (ReplicationClientTest.ControlPlaneHarness cp = new ReplicationClientTest.ControlPlaneHarness(
                dir.resolve("control-plane"))) {
            return run(dir, keys, contenders, cp, cp);
        }
    }

    /** Two control planes on one real PostgreSQL database: revoked through the first, fed by the second. */
    static Result runThroughAnotherControlPlane(Path dir, int keys) throws Exception {
        StoreSpec store = new StoreSpec(null, PostgresServer.shared().createDatabase(), null, null);
        try (ReplicationClientTest.ControlPlaneHarness a = new ReplicationClientTest.ControlPlaneHarness(
                        dir.resolve("a"), store, null);
                ReplicationClientTest.ControlPlaneHarness b = new ReplicationClientTest.ControlPlaneHarness(
                        dir.resolve("b"), store, a.adminToken())) {
            return run(dir, keys, 0, a, b);
        }
    }

    /** Revokes through {@code cp}; the sidecar's replica follows {@code feeding}. */
    private static Result run(Path dir, int count, int contenders, ReplicationClientTest.ControlPlaneHarness cp,
            ReplicationClientTest.ControlPlaneHarness feeding) throws Exception {
        Level auditLevel = AUDIT_LOG.getLevel();
        AUDIT_LOG.setLevel(Level.WARNING); // 2,000 mutations would print 4,000 lines
        try {
            cp.admin().createProject(CreateProjectRequest.newBuilder().setProjectId("load").build());
            String sidecarToken = cp.sidecarCredential("sidecar").getToken();
            List<CreateKeyResponse> keys = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                keys.add(cp.serviceKey("load", "key-" + i));
            }
            List<String> churned = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                churned.add(cp.serviceKey("load", "churn-" + i).getKey().getId());
            }
            // Composed as the sidecar composes it: the hot-entry cache in front of the Chronicle replica,
            // and the real Check decision reading it.
            try (KeyReplica replica = new CachingKeyReplica(
                            ChronicleKeyReplica.open(dir.resolve("replica"), 2 * count + 64), CachingKeyReplica.DEFAULT_SLOTS);
                    ReplicationClient client = new ReplicationClient(feeding.sidecarChannel(), sidecarToken, replica,
                            "propagation")) {
                client.start();
                awaitTrue(() -> client.appliedRevision() >= cp.currentRevision(), "initial snapshot");

                long[][] nanos;
                long otherCommits;
                try (Contention contention = new Contention(cp, churned)) {
                    nanos = measure(cp, replica, keys);
                    otherCommits = contention.stop();
                }

                assertTrue(contenders == 0 || otherCommits >= count, () -> "the other threads committed only "
                        + otherCommits + " changes during " + count + " revocations: not contention");
                return new Result(nanos[0], nanos[1], otherCommits);
            }
        } finally {
            AUDIT_LOG.setLevel(auditLevel);
        }
    }

    /**
     * Threads that each disable and re-enable a key of their own, back to back, until stopped: commits
     * that change keys (so the Watch stream carries them too) without growing the replica.
     */
    private static final class Contention implements AutoCloseable {
        private final ExecutorService threads;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final LongAdder commits = new LongAdder();
        private final List<Future<?>> loops = new ArrayList<>();

        Contention(ReplicationClientTest.ControlPlaneHarness cp, List<String> keyIds) {
            threads = Executors.newFixedThreadPool(Math.max(1, keyIds.size()));
            for (String keyId : keyIds) {
                loops.add(threads.submit(() -> {
                    while (running.get()) {
                        cp.admin().disableKey(DisableKeyRequest.newBuilder().setKeyId(keyId).build());
                        cp.admin().enableKey(EnableKeyRequest.newBuilder().setKeyId(keyId).build());
                        commits.add(2);
                    }
                    return null;
                }));
            }
        }

        /** Stops the threads; returns the commits they made; rethrows what any of them threw. */
        long stop() throws Exception {
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(60, TimeUnit.SECONDS);
            }
            return commits.sum();
        }

        @Override
        public void close() {
            running.set(false);
            threads.shutdownNow();
        }
    }

    /** Per key: [0] from RevokeKey's return, [1] from its call, to Check answering 401 for it. */
    private static long[][] measure(ReplicationClientTest.ControlPlaneHarness cp, KeyReplica replica,
            List<CreateKeyResponse> keys) {
        long[] fromReturn = new long[keys.size()];
        long[] fromCall = new long[keys.size()];
        Authorizer check = Authorizer.builder(replica, Clock.systemUTC(), CheckSettings.defaults()).build();
        for (int i = 0; i < keys.size(); i++) {
            CheckRequest request = chatCompletion(keys.get(i).getToken());
            if (check.check(request).getStatus().getCode() != 0) {
                throw new AssertionError("key " + i + " was not allowed before its revocation");
            }
            RevokeKeyRequest revoke = RevokeKeyRequest.newBuilder().setKeyId(keys.get(i).getKey().getId()).build();
            AdminServiceGrpc.AdminServiceBlockingStub admin = cp.admin(); // a fresh 10 s deadline per call
            long called = System.nanoTime();
            admin.revokeKey(revoke);
            long returned = System.nanoTime();
            long deadline = returned + TimeUnit.SECONDS.toNanos(30);
            while (check.check(request).getDeniedResponse().getStatus().getCodeValue() != 401) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Check still allowed key " + i + " 30 s after its revocation");
                }
                Thread.onSpinWait();
            }
            long seen = System.nanoTime();
            fromReturn[i] = seen - returned;
            fromCall[i] = seen - called;
        }
        return new long[][] {fromReturn, fromCall};
    }

    private static CheckRequest chatCompletion(String token) {
        return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder().setRequest(
                AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
                        .setMethod("POST").setPath("/v1/chat/completions")
                        .putHeaders("authorization", "Bearer " + token)))).build();
    }

    private static String summary(String name, long[] nanos) {
        return String.format(Locale.ROOT, "%s revocations=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f", name,
                nanos.length, millis(percentile(nanos, 50)), millis(percentile(nanos, 99)),
                millis(Arrays.stream(nanos).max().orElse(0)));
    }

    /** Nearest-rank percentile. */
    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
