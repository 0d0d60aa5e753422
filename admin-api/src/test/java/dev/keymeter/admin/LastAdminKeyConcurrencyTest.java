package dev.keymeter.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.*;
import dev.keymeter.store.PostgresServer;
import dev.keymeter.store.StoreSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
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
 * Many callers disable, revoke or downgrade every admin key with preset All at once, behind a start
 * gate: exactly one such key survives, every other call succeeds, and the refused one says why. On
 * SQLite through one control plane, and on PostgreSQL through two control planes sharing the
 * database (the check runs under the revision row lock, so it holds across processes too).
 */
class LastAdminKeyConcurrencyTest {

    /** Admin keys with preset All in each round, the bootstrap key included; one call per key. */
    private static final int KEYS = 8;
    private static final int ROUNDS = 5;

    @TempDir
    Path dir;

    @Test
    void sqlite_concurrentRemovalsOfEveryAllAdminKey_leaveExactlyOne() throws Exception {
        try (AdminHarness a = new AdminHarness(dir.resolve("a"))) {
            rounds(a, a);
        }
    }

    @Test
    void postgres_twoControlPlanes_concurrentRemovalsOfEveryAllAdminKey_leaveExactlyOne() throws Exception {
        StoreSpec store = new StoreSpec(null, PostgresServer.shared().createDatabase(), null, null);
        try (AdminHarness a = new AdminHarness(dir.resolve("a"), store, null);
                AdminHarness b = new AdminHarness(dir.resolve("b"), store, a.adminToken)) {
            rounds(a, b);
        }
    }

    private static void rounds(AdminHarness a, AdminHarness b) throws Exception {
        Key bootstrap = a.admin().listKeys(ListKeysRequest.newBuilder().setKind(KeyKind.KEY_KIND_ADMIN).build())
                .getKeys(0);
        CreateKeyResponse survivor = CreateKeyResponse.newBuilder().setKey(bootstrap).setToken(a.adminToken).build();
        for (int round = 0; round < ROUNDS; round++) {
            survivor = race(a, b, round, survivor);
        }
    }

    /**
     * Tops the managing keys up to {@link #KEYS} with the survivor of the last round, then has each
     * key remove itself (revoke, disable or downgrade) from its own thread, alternately through
     * {@code a} and {@code b}. Returns the one managing key left.
     */
    private static CreateKeyResponse race(AdminHarness a, AdminHarness b, int round, CreateKeyResponse survivor)
            throws Exception {
        List<CreateKeyResponse> keys = new ArrayList<>(List.of(survivor));
        while (keys.size() < KEYS) {
            keys.add(a.as(survivor.getToken()).createKey(CreateKeyRequest.newBuilder()
                    .setName("admin-" + round + "-" + keys.size()).setKind(KeyKind.KEY_KIND_ADMIN)
                    .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(KEYS);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<Status.Code>> outcomes = new ArrayList<>();
        try {
            for (int i = 0; i < KEYS; i++) {
                AdminHarness via = i % 2 == 0 ? a : b;
                CreateKeyResponse key = keys.get(i);
                int kind = (i + round) % 3;
                outcomes.add(pool.submit(() -> {
                    gate.await();
                    return remove(via.as(key.getToken()), key.getKey().getId(), kind);
                }));
            }
            gate.countDown();
            List<Status.Code> codes = new ArrayList<>();
            for (Future<Status.Code> f : outcomes) {
                codes.add(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(KEYS - 1, codes.stream().filter(c -> c == Status.Code.OK).count(), "round " + round + ": " + codes);
            assertEquals(1, codes.stream().filter(c -> c == Status.Code.FAILED_PRECONDITION).count(),
                    "round " + round + ": " + codes);
            List<CreateKeyResponse> managing = managing(a, keys);
            assertEquals(1, managing.size(), "round " + round + ": managing keys left");
            return managing.get(0);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Status.Code remove(AdminServiceGrpc.AdminServiceBlockingStub stub, String keyId, int kind) {
        try {
            switch (kind) {
                case 0 -> stub.revokeKey(RevokeKeyRequest.newBuilder().setKeyId(keyId).build());
                case 1 -> stub.disableKey(DisableKeyRequest.newBuilder().setKeyId(keyId).build());
                default -> stub.updateKey(UpdateKeyRequest.newBuilder().setKeyId(keyId)
                        .setKey(Key.newBuilder().setPermissions(Permissions.newBuilder()
                                .setPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY)))
                        .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("permissions")).build());
            }
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                assertTrue(e.getStatus().getDescription().startsWith(
                        keyId + " is the last active admin key with preset All: "), e.getStatus().getDescription());
            }
            return e.getStatus().getCode();
        }
    }

    /** The keys still active with preset All, each read with its own token (a key reads itself). */
    private static List<CreateKeyResponse> managing(AdminHarness a, List<CreateKeyResponse> keys) {
        List<CreateKeyResponse> left = new ArrayList<>();
        for (CreateKeyResponse k : keys) {
            try {
                Key now = a.as(k.getToken()).getKey(GetKeyRequest.newBuilder().setKeyId(k.getKey().getId()).build());
                if (now.getStatus() == KeyStatus.KEY_STATUS_ACTIVE
                        && now.getPermissions().getPreset() == PermissionPreset.PERMISSION_PRESET_ALL) {
                    left.add(k);
                }
            } catch (StatusRuntimeException e) {
                assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode()); // revoked or disabled
            }
        }
        return left;
    }
}
