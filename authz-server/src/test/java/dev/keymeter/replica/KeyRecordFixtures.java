package dev.keymeter.replica;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.SecretDigest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Replication records and digests for the replica's tests, built the way the control plane sends them. */
final class KeyRecordFixtures {

    private KeyRecordFixtures() {}

    /** A key id of the real shape: {@code key_} and 20 characters. */
    static String keyId(long n) {
        return "key_" + String.format("%020d", n);
    }

    /** The SHA-256 of a token, as the control plane stores it. */
    static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** An active project key of a user, preset ALL, no limits, no expiry, with these current secrets. */
    static KeyRecord.Builder key(String keyId, long revision, byte[]... digests) {
        KeyRecord.Builder record = KeyRecord.newBuilder()
                .setKeyId(keyId)
                .setKind(KeyKind.KEY_KIND_PROJECT)
                .setOwnerType(OwnerType.OWNER_TYPE_USER)
                .setOwnerUser("user-" + keyId)
                .setProjectId("project-1")
                .setStatus(KeyStatus.KEY_STATUS_ACTIVE)
                .setPermissions(Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_ALL))
                .setRevision(revision);
        for (byte[] digest : digests) {
            record.addSecrets(current(digest));
        }
        return record;
    }

    static SecretDigest current(byte[] digest) {
        return SecretDigest.newBuilder().setSha256(ByteString.copyFrom(digest)).build();
    }

    static SecretDigest inGrace(byte[] digest, long expiresAtMillis) {
        return SecretDigest.newBuilder().setSha256(ByteString.copyFrom(digest))
                .setExpireTime(timestamp(expiresAtMillis)).build();
    }

    static Timestamp timestamp(long epochMillis) {
        return Timestamp.newBuilder()
                .setSeconds(Math.floorDiv(epochMillis, 1000))
                .setNanos(Math.floorMod(epochMillis, 1000) * 1_000_000)
                .build();
    }
}
