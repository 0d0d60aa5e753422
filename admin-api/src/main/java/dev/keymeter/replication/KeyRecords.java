package dev.keymeter.replication;

import com.google.protobuf.ByteString;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.Secret;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.SecretDigest;
import dev.keymeter.wire.WireValues;
import java.time.Instant;

import static dev.keymeter.wire.WireValues.kind;
import static dev.keymeter.wire.WireValues.limits;
import static dev.keymeter.wire.WireValues.nullToEmpty;
import static dev.keymeter.wire.WireValues.owner;
import static dev.keymeter.wire.WireValues.permissions;
import static dev.keymeter.wire.WireValues.status;
import static dev.keymeter.wire.WireValues.timestamp;

/**
 * Stored keys → the {@link KeyRecord}s a sidecar decides with. Every key is sent whatever its
 * status: a sidecar that knows a digest belongs to a revoked or disabled key can say so (401 with
 * the reason) instead of "unknown key". Secrets are digests only, and only those still live at
 * {@code now}: a rotated-out secret whose grace has ended would never authenticate again.
 *
 * <p>Enums, permissions and limits map through {@link WireValues}, shared with the admin API.
 */
final class KeyRecords {

    private KeyRecords() {
    }

    /**
     * Whether sidecars get {@code key}: every key but sidecar credentials, which authenticate to the
     * control plane only and must never pass Check (nor reach an older sidecar that cannot read them).
     */
    static boolean replicated(ApiKey key) {
        return key.kind() != dev.keymeter.keys.KeyKind.SIDECAR;
    }

    static KeyRecord of(ApiKey key, Instant now) {
        KeyRecord.Builder b = KeyRecord.newBuilder()
                .setKeyId(key.id())
                .setKind(kind(key.kind()))
                .setOwnerType(owner(key.ownerType()))
                .setOwnerUser(nullToEmpty(key.ownerUser()))
                .setProjectId(nullToEmpty(key.projectId()))
                .setStatus(status(key.status()))
                .setPermissions(permissions(key.permissions()))
                .setLimits(limits(key.limits()))
                .setLegacy(key.legacy())
                .setRevision(key.revision());
        if (key.expiresAt() != null) {
            b.setExpireTime(timestamp(key.expiresAt()));
        }
        if (key.usageResetAt() != null) {
            b.setUsageResetTime(timestamp(key.usageResetAt()));
        }
        for (Secret secret : key.secrets()) {
            if (secret.isLiveAt(now)) {
                b.addSecrets(digest(secret));
            }
        }
        return b.build();
    }

    private static SecretDigest digest(Secret secret) {
        SecretDigest.Builder b = SecretDigest.newBuilder().setSha256(ByteString.copyFrom(secret.sha256()));
        if (secret.expiresAt() != null) {
            b.setExpireTime(timestamp(secret.expiresAt()));
        }
        return b.build();
    }

}
