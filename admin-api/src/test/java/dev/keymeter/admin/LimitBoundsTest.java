package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.FieldMask;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.DuplicateKeyRequest;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import dev.keymeter.proto.admin.v1.UpdateKeyRequest;
import dev.keymeter.keys.LimitBound;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API accepts exactly the limits a sidecar's counters hold ({@link LimitBound}): each
 * limit at its maximum is stored, one above is INVALID_ARGUMENT naming the field and the maximum.
 */
class LimitBoundsTest {

    private static final long MAX_RPM = 4_294_967_294L;
    private static final long MAX_AMOUNT = 17_592_186_044_415L;

    @TempDir
    Path dir;
    AdminHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        h.project("payments");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private static CreateKeyRequest create(String name, Limits limits) {
        return CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).setLimits(limits).build();
    }

    private static Limits atMax() {
        return Limits.newBuilder().setCostLimitMicroUsd(MAX_AMOUNT).setTokenLimit(MAX_AMOUNT)
                .setRequestsPerMinute(MAX_RPM).setResetPeriod(ResetPeriod.RESET_PERIOD_DAILY).build();
    }

    private Key update(String keyId, Limits limits, String path) {
        return h.admin().updateKey(UpdateKeyRequest.newBuilder().setKeyId(keyId)
                .setKey(Key.newBuilder().setLimits(limits))
                .setUpdateMask(FieldMask.newBuilder().addPaths(path)).build());
    }

    @Test
    void bounds_areTheCounters() {
        assertEquals(MAX_RPM, LimitBound.REQUESTS_PER_MINUTE.max());
        assertEquals(MAX_AMOUNT, LimitBound.TOKENS.max());
        assertEquals(MAX_AMOUNT, LimitBound.COST_MICRO_USD.max());
    }

    @Test
    void createKey_everyLimitAtItsMaximum_isStored() {
        Key k = h.admin().createKey(create("max", atMax())).getKey();
        assertEquals(atMax(), k.getLimits());
    }

    @Test
    void createKey_oneAboveAMaximum_isInvalidArgumentNamingFieldAndMaximum() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "limits.token_limit: must be between 0 and 17592186044415 tokens,"
                + " was 17592186044416", () -> h.admin().createKey(create("t",
                        atMax().toBuilder().setTokenLimit(MAX_AMOUNT + 1).build())));
        assertStatus(Status.Code.INVALID_ARGUMENT, "limits.cost_limit_micro_usd: must be between 0 and 17592186044415"
                + " micro-USD (17592186.044415 USD)", () -> h.admin().createKey(create("c",
                        atMax().toBuilder().setCostLimitMicroUsd(MAX_AMOUNT + 1).build())));
        assertStatus(Status.Code.INVALID_ARGUMENT, "limits.requests_per_minute: must be between 0 and 4294967294"
                + " requests, was 4294967295", () -> h.admin().createKey(create("r",
                        atMax().toBuilder().setRequestsPerMinute(MAX_RPM + 1).build())));
        assertStatus(Status.Code.INVALID_ARGUMENT, "limits.token_limit: must be between 0 and 17592186044415",
                () -> h.admin().createKey(create("e15", Limits.newBuilder().setTokenLimit(1_000_000_000_000_000L).build())));
    }

    @Test
    void updateKey_eachLimitAtItsMaximum_isStored_oneAboveIsInvalidArgument() {
        String id = h.admin().createKey(create("k", Limits.newBuilder().setTokenLimit(5).build())).getKey().getId();
        assertEquals(atMax(), update(id, atMax(), "limits").getLimits());
        assertEquals(MAX_AMOUNT, update(id, Limits.newBuilder().setTokenLimit(MAX_AMOUNT).build(),
                "limits.token_limit").getLimits().getTokenLimit());

        assertStatus(Status.Code.INVALID_ARGUMENT, "key.limits.token_limit: must be between 0 and 17592186044415",
                () -> update(id, Limits.newBuilder().setTokenLimit(MAX_AMOUNT + 1).build(), "limits.token_limit"));
        assertStatus(Status.Code.INVALID_ARGUMENT, "key.limits.cost_limit_micro_usd: must be between 0 and 17592186044415",
                () -> update(id, Limits.newBuilder().setCostLimitMicroUsd(MAX_AMOUNT + 1).build(), "limits"));
        assertStatus(Status.Code.INVALID_ARGUMENT, "key.limits.requests_per_minute: must be between 0 and 4294967294",
                () -> update(id, Limits.newBuilder().setRequestsPerMinute(MAX_RPM + 1).build(),
                        "limits.requests_per_minute"));
        assertEquals(atMax(), h.admin().getKey(dev.keymeter.proto.admin.v1.GetKeyRequest.newBuilder().setKeyId(id)
                .build()).getLimits(), "a refused update changes nothing");
    }

    @Test
    void duplicateKey_ofAKeyStoredAboveABound_isFailedPreconditionNamingFieldAndMaximum() {
        String id = h.admin().createKey(create("old", Limits.newBuilder().setTokenLimit(5).build())).getKey().getId();
        // As an older version (which accepted up to 10^15) left it: written past the admin API.
        h.controlPlane.store().write(w -> {
            ApiKey key = w.findKey(id).orElseThrow();
            w.updateKey(key.withSettings(key.name(), key.permissions(), new dev.keymeter.keys.Limits(null,
                    1_000_000_000_000_000L, null, dev.keymeter.keys.ResetPeriod.NEVER), key.expiresAt(),
                    Instant.now(), w.nextRevision()));
            return null;
        });
        assertStatus(Status.Code.FAILED_PRECONDITION, "has limits.token_limit 1000000000000000; a limit must be"
                + " between 0 and 17592186044415 tokens", () -> h.admin().duplicateKey(
                        DuplicateKeyRequest.newBuilder().setKeyId(id).build()));
    }
}
