package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.protobuf.util.Durations;
import dev.keymeter.proto.admin.v1.*;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation: same key id, a new secret, the old one alive for a bounded grace period, never three. */
class RotationTest {

    @TempDir
    Path dir;
    AdminHarness h;
    CreateKeyResponse original;
    GetKeyRequest self;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        h.project("payments");
        original = h.serviceKey("payments", "svc");
        self = GetKeyRequest.newBuilder().setKeyId(original.getKey().getId()).build();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private CreateKeyResponse rotate(Duration grace) {
        return h.admin().rotateKey(RotateKeyRequest.newBuilder().setKeyId(original.getKey().getId())
                .setGracePeriod(Durations.fromMillis(grace.toMillis())).build());
    }

    @Test
    void rotate_oldSecretWorksWithinGrace_andStopsExactlyAtItsEnd() {
        CreateKeyResponse rotated = rotate(Duration.ofHours(1));
        assertEquals(original.getKey().getId(), rotated.getKey().getId());
        assertNotEquals(original.getToken(), rotated.getToken());
        assertEquals(original.getKey().getDisplayToken(), rotated.getKey().getPreviousDisplayToken());
        h.as(original.getToken()).getKey(self);
        h.as(rotated.getToken()).getKey(self);
        h.advance(Duration.ofHours(1).minusMillis(1));
        h.as(original.getToken()).getKey(self);
        h.advance(Duration.ofMillis(1));
        assertStatus(Status.Code.UNAUTHENTICATED, "", () -> h.as(original.getToken()).getKey(self));
        h.as(rotated.getToken()).getKey(self);
    }

    @Test
    void rotate_twiceWithinGrace_keepsAtMostTwoLiveSecrets() {
        CreateKeyResponse second = rotate(Duration.ofHours(1));
        CreateKeyResponse third = rotate(Duration.ofHours(1));
        assertStatus(Status.Code.UNAUTHENTICATED, "", () -> h.as(original.getToken()).getKey(self));
        h.as(second.getToken()).getKey(self);
        h.as(third.getToken()).getKey(self);
        assertEquals(second.getKey().getDisplayToken(), third.getKey().getPreviousDisplayToken());
    }

    @Test
    void rotate_zeroGrace_retiresTheOldSecretAtOnce() {
        CreateKeyResponse rotated = rotate(Duration.ZERO);
        assertStatus(Status.Code.UNAUTHENTICATED, "", () -> h.as(original.getToken()).getKey(self));
        assertFalse(rotated.getKey().hasPreviousSecretExpireTime());
    }

    @Test
    void rotate_graceAboveSevenDays_isInvalidArgument() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "grace_period", () -> rotate(Duration.ofDays(7).plusSeconds(1)));
        assertStatus(Status.Code.INVALID_ARGUMENT, "grace_period", () -> rotate(Duration.ofSeconds(-1)));
    }

    @Test
    void rotate_withoutGrace_defaultsTo24Hours() {
        CreateKeyResponse rotated = h.admin().rotateKey(
                RotateKeyRequest.newBuilder().setKeyId(original.getKey().getId()).build());
        assertEquals(h.clock.millis() + Duration.ofHours(24).toMillis(),
                com.google.protobuf.util.Timestamps.toMillis(rotated.getKey().getPreviousSecretExpireTime()));
    }
}
