package dev.keymeter.check;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.SecretDigest;
import java.time.Instant;

/** Key records as the control plane replicates them, and fresh tokens for them. */
final class TestKeys {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private TestKeys() {
    }

    static String userToken() {
        return TokenFormat.generate(TokenType.USER);
    }

    /** A user's project key in {@code proj_1}, preset All, active, never expiring. */
    static KeyRecord.Builder projectKey(String keyId, String token) {
        return KeyRecord.newBuilder()
                .setKeyId(keyId)
                .setKind(KeyKind.KEY_KIND_PROJECT)
                .setOwnerType(OwnerType.OWNER_TYPE_USER)
                .setOwnerUser("user_1")
                .setProjectId("proj_1")
                .setStatus(KeyStatus.KEY_STATUS_ACTIVE)
                .setPermissions(Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_ALL))
                .addSecrets(secret(token))
                .setRevision(1);
    }

    /** A service-account project key in {@code proj_1}. */
    static KeyRecord.Builder serviceKey(String keyId, String token) {
        return projectKey(keyId, token).setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).clearOwnerUser();
    }

    /** An organization-wide admin key owned by {@code user_admin}: no project. */
    static KeyRecord.Builder adminKey(String keyId, String token) {
        return projectKey(keyId, token).setKind(KeyKind.KEY_KIND_ADMIN).setOwnerUser("user_admin").clearProjectId();
    }

    static SecretDigest secret(String token) {
        return SecretDigest.newBuilder().setSha256(ByteString.copyFrom(TokenFormat.sha256(token))).build();
    }

    /** A rotated-out secret whose grace period ends at {@code graceEnd}. */
    static SecretDigest secret(String token, Instant graceEnd) {
        return secret(token).toBuilder().setExpireTime(timestamp(graceEnd)).build();
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
