package dev.keymeter.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.TextBound;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.DeleteKeyRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import dev.keymeter.proto.admin.v1.RotateKeyRequest;
import dev.keymeter.keys.LimitBound;
import dev.keymeter.replication.ReplicationSettings;
import dev.keymeter.store.StoreReader;
import dev.keymeter.store.StoreSpec;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication client against a real control plane (SQLite, Netty on loopback) with a real
 * Chronicle replica in a temp dir: convergence, restarts on either side, a replica that never
 * loaded, and a replica too small for the control plane.
 */
class ReplicationClientTest {

    static final long CAPACITY = 1_000;

    @TempDir
    Path dir;
    ControlPlaneHarness cp;
    String sidecarToken;
    KeyReplica replica;
    ReplicationClient client;

    @BeforeEach
    void start() throws IOException {
        cp = new ControlPlaneHarness(dir.resolve("control-plane"));
        cp.admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        sidecarToken = cp.sidecarCredential("sidecar").getToken();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (replica != null) {
            replica.close();
        }
        cp.close();
    }

    @Test
    void start_newReplica_convergesToTheControlPlane() throws Exception {
        CreateKeyResponse active = cp.serviceKey("payments", "active");
        CreateKeyResponse revoked = cp.serviceKey("payments", "revoked");
        cp.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(revoked.getKey().getId()).build());
        CreateKeyResponse deleted = cp.serviceKey("payments", "deleted");
        cp.admin().deleteKey(DeleteKeyRequest.newBuilder().setKeyId(deleted.getKey().getId()).build());
        CreateKeyResponse rotated = cp.serviceKey("payments", "rotated");
        CreateKeyResponse rotation = cp.admin().rotateKey(RotateKeyRequest.newBuilder()
                .setKeyId(rotated.getKey().getId()).setGracePeriod(Durations.fromSeconds(3600)).build());

        openReplica();
        startClient();
        awaitCaughtUp();

        assertEquals(KeyStatus.ACTIVE, lookup(active.getToken()).status);
        assertEquals(KeyStatus.REVOKED, lookup(revoked.getToken()).status);
        assertNull(lookup(deleted.getToken()));
        assertEquals(ReplicaEntry.NEVER, lookup(rotation.getToken()).secretExpiresAtMillis);
        assertEquals(Timestamps.toMillis(rotation.getKey().getPreviousSecretExpireTime()),
                lookup(rotated.getToken()).secretExpiresAtMillis);
        assertEquals(cp.keyCount(), replica.keyCount());
        assertTrue(replica.isLoaded());
        assertTrue(client.isHealthy());
        assertEquals(1, client.snapshotsApplied());
        assertEquals(0, client.lag());

        cp.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(active.getKey().getId()).build());
        awaitCaughtUp();
        assertEquals(KeyStatus.REVOKED, lookup(active.getToken()).status);
    }

    /**
     * The admin API's maximum for every field the replica holds, through the real API and Watch: a
     * key whose owner is 128 non-ASCII characters (512 bytes of UTF-8) is held, not dropped, and
     * replication stays healthy.
     */
    @Test
    void start_keyAtEveryMaximumTheAdminApiAccepts_isHeldAndReplicationHealthy() throws Exception {
        String owner = "\uD83D\uDE00".repeat(TextBound.USER.maxChars());
        String project = "p".repeat(TextBound.PROJECT_ID.maxChars());
        cp.admin().createProject(CreateProjectRequest.newBuilder().setProjectId(project).build());
        cp.admin().addMember(dev.keymeter.proto.admin.v1.AddMemberRequest.newBuilder().setUser(owner)
                .setProjectId(project).build());
        CreateKeyResponse widest = cp.admin().createKey(dev.keymeter.proto.admin.v1.CreateKeyRequest.newBuilder()
                .setName("\uD83D\uDE00".repeat(TextBound.NAME.maxChars()))
                .setKind(dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_PROJECT).setProjectId(project)
                .setOwnerType(dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_USER).setOwnerUser(owner)
                .setLimits(dev.keymeter.proto.admin.v1.Limits.newBuilder()
                        .setCostLimitMicroUsd(LimitBound.COST_MICRO_USD.max()).setTokenLimit(LimitBound.TOKENS.max())
                        .setRequestsPerMinute(LimitBound.REQUESTS_PER_MINUTE.max()))
                .build());

        openReplica();
        startClient();
        awaitCaughtUp();

        ReplicaEntry held = lookup(widest.getToken());
        assertEquals(owner, held.ownerUser);
        assertEquals(project, held.projectId);
        assertEquals(widest.getKey().getId(), held.keyId);
        assertEquals(LimitBound.TOKENS.max(), held.tokenLimit);
        assertEquals(cp.keyCount(), replica.keyCount());
        assertTrue(client.isHealthy());
    }

    /**
     * A replica that followed one store, pointed at a control plane on another store whose revision is
     * as high (a restored backup, a new database): revisions of two stores do not compare, so it takes
     * a snapshot instead of resuming — without the store id it would keep the first store's keys.
     */
    @Test
    void start_controlPlaneOfAnotherStore_takesASnapshotWhateverTheRevision() throws Exception {
        CreateKeyResponse first = cp.serviceKey("payments", "only-in-the-first-store");
        openReplica();
        startClient();
        awaitCaughtUp();
        long firstStore = replica.storeId();
        assertTrue(firstStore > 0, "the replica records its store");
        assertEquals(KeyStatus.ACTIVE, lookup(first.getToken()).status);
        client.close();
        client = null;
        long revisionSeen = replica.appliedRevision();
        cp.close();

        cp = new ControlPlaneHarness(dir.resolve("another-control-plane"));
        cp.admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        sidecarToken = cp.sidecarCredential("sidecar").getToken();
        CreateKeyResponse second = cp.serviceKey("payments", "only-in-the-second-store");
        while (cp.currentRevision() < revisionSeen + 1) {
            cp.serviceKey("payments", "filler-" + cp.currentRevision());
        }
        startClient();
        awaitTrue(() -> replica.storeId() != firstStore && client.appliedRevision() >= cp.currentRevision(),
                "a snapshot of the other store");

        assertNull(lookup(first.getToken()), "the first store's key is gone with its store");
        assertEquals(KeyStatus.ACTIVE, lookup(second.getToken()).status);
        assertEquals(cp.keyCount(), replica.keyCount());
        assertEquals(1, client.snapshotsApplied());
    }

    @Test
    void start_controlPlaneDown_replicaStaysUnloadedUntilTheSnapshotEnds() throws Exception {
        CreateKeyResponse key = cp.serviceKey("payments", "k");
        cp.stop();
        openReplica();
        startClient();

        awaitTrue(() -> client.streamsOpened() >= 3, "several failed attempts");
        assertFalse(replica.isLoaded());
        assertFalse(client.isConnected());
        assertEquals(0, replica.appliedRevision());
        assertTrue(client.lastFailure().orElseThrow().contains("UNAVAILABLE"), client.lastFailure()::get);

        cp.start();
        awaitCaughtUp();
        assertTrue(replica.isLoaded());
        assertEquals(KeyStatus.ACTIVE, lookup(key.getToken()).status);
    }

    @Test
    void controlPlaneRestart_samePortAndDataDir_clientReconnectsAndCatchesUpWithoutSnapshot() throws Exception {
        CreateKeyResponse key = cp.serviceKey("payments", "k");
        openReplica();
        startClient();
        awaitCaughtUp();

        cp.stop();
        awaitTrue(() -> !client.isConnected(), "the client noticed");
        cp.start();
        cp.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(key.getKey().getId()).build());
        CreateKeyResponse created = cp.serviceKey("payments", "after-restart");
        awaitCaughtUp();

        assertEquals(KeyStatus.REVOKED, lookup(key.getToken()).status);
        assertEquals(KeyStatus.ACTIVE, lookup(created.getToken()).status);
        assertEquals(1, client.snapshotsApplied());
        assertTrue(client.streamsOpened() >= 2);
        awaitTrue(client::isHealthy, "healthy again");
    }

    @Test
    void reopen_clientAndReplicaClosedAndOpenedAgain_resumesFromTheAppliedRevisionWithoutSnapshot() throws Exception {
        CreateKeyResponse key = cp.serviceKey("payments", "k");
        openReplica();
        startClient();
        awaitCaughtUp();
        long applied = client.appliedRevision();
        client.close();
        replica.close();

        cp.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(key.getKey().getId()).build());
        CreateKeyResponse created = cp.serviceKey("payments", "while-closed");
        openReplica();
        assertEquals(applied, replica.appliedRevision());
        assertTrue(replica.isLoaded());
        startClient();
        awaitCaughtUp();

        assertEquals(0, client.snapshotsApplied());
        assertEquals(KeyStatus.REVOKED, lookup(key.getToken()).status);
        assertEquals(KeyStatus.ACTIVE, lookup(created.getToken()).status);
    }

    /**
     * A replica sized for fewer digests than the control plane holds refuses the key that does not
     * fit; the client drops it, says it is unhealthy, and still applies what comes after, revocations
     * included.
     */
    @Test
    void replicaFull_keyThatDoesNotFit_isDroppedAndLaterRevocationsStillApply() throws Exception {
        CreateKeyResponse first = cp.serviceKey("payments", "first");
        long capacity = cp.keyCount(); // one digest per key: exactly full
        replica = ChronicleKeyReplica.open(dir.resolve("replica"), capacity);
        startClient();
        awaitCaughtUp();
        assertTrue(client.isHealthy());

        CreateKeyResponse tooMany = cp.serviceKey("payments", "one-too-many");
        cp.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(first.getKey().getId()).build());
        awaitCaughtUp();

        assertNull(lookup(tooMany.getToken()));
        assertEquals(KeyStatus.REVOKED, lookup(first.getToken()).status);
        assertEquals(1, client.refusedRecords());
        assertFalse(client.isHealthy());
        assertTrue(client.lastFailure().orElseThrow().contains(tooMany.getKey().getId()));
    }

    private void openReplica() throws IOException {
        replica = ChronicleKeyReplica.open(dir.resolve("replica"), CAPACITY);
    }

    private void startClient() {
        client = new ReplicationClient(cp.sidecarChannel(), sidecarToken, replica, "test-sidecar",
                new ReplicationBackoff(Duration.ofMillis(10), Duration.ofMillis(200), new SplittableRandom(1)));
        client.start();
    }

    private void awaitCaughtUp() throws InterruptedException {
        awaitTrue(() -> client.appliedRevision() >= cp.currentRevision(), "applied the control plane's revision");
    }

    private ReplicaEntry lookup(String token) {
        ReplicaEntry entry = new ReplicaEntry();
        return replica.lookup(TokenFormat.sha256(token), entry) ? entry : null;
    }

    /** Waits for what another thread does (not for time to pass); fails after 20 s. */
    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 20 s: " + what);
            }
            Thread.sleep(1);
        }
    }

    /**
     * A control plane on loopback that can stop and start again on the same port and data dir, with
     * an admin stub and a channel for the sidecar.
     */
    static final class ControlPlaneHarness implements AutoCloseable {
        private static final Metadata.Key<String> AUTHORIZATION =
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

        private final Path dataDir;
        private final StoreSpec store;
        private final String adminToken;
        private int port;
        private ControlPlane controlPlane;
        private ManagedChannel adminChannel;
        private ManagedChannel sidecarChannel;

        ControlPlaneHarness(Path dataDir) throws IOException {
            this(dataDir, null, null);
        }

        /**
         * A control plane on {@code store} ({@code null}: SQLite in {@code dataDir}); {@code adminToken}
         * {@code null} when this start bootstraps the store, else a key it already holds.
         */
        ControlPlaneHarness(Path dataDir, StoreSpec store, String adminToken) throws IOException {
            this.dataDir = dataDir;
            this.store = store;
            start();
            this.adminToken = adminToken != null ? adminToken : controlPlane.bootstrapKey().orElseThrow().token();
        }

        String adminToken() {
            return adminToken;
        }

        void start() throws IOException {
            controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dataDir).withPort(port).withStore(store)
                    .withReplication(ReplicationSettings.defaults().withHeartbeatInterval(Duration.ofSeconds(1))));
            port = controlPlane.port();
            adminChannel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        }

        void stop() {
            adminChannel.shutdownNow();
            controlPlane.close();
            controlPlane = null;
        }

        /** A channel the sidecar keeps across control-plane restarts. */
        ManagedChannel sidecarChannel() {
            if (sidecarChannel == null) {
                sidecarChannel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            }
            return sidecarChannel;
        }

        AdminServiceGrpc.AdminServiceBlockingStub admin() {
            Metadata md = new Metadata();
            md.put(AUTHORIZATION, "Bearer " + adminToken);
            return AdminServiceGrpc.newBlockingStub(adminChannel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
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

        @Override
        public void close() {
            if (sidecarChannel != null) {
                sidecarChannel.shutdownNow();
            }
            if (controlPlane != null) {
                stop();
            }
        }
    }
}
