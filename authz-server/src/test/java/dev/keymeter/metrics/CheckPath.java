package dev.keymeter.metrics;

import com.google.protobuf.ByteString;
import dev.keymeter.check.Authorizer;
import dev.keymeter.check.CheckSettings;
import dev.keymeter.check.LastUsedTracker;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.SecretDigest;
import dev.keymeter.replica.ChronicleKeyReplica;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The real Check decision for metrics tests: the real {@link Authorizer} over a real Chronicle
 * replica in a temp dir (loaded: an empty snapshot applied), reporting to a {@link CheckMetrics}.
 */
final class CheckPath implements AutoCloseable {

    static final String CHAT = "/v1/chat/completions";
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    final ChronicleKeyReplica replica;
    final Authorizer authorizer;

    CheckPath(Path dir, CheckMetrics metrics) throws IOException {
        replica = ChronicleKeyReplica.open(dir.resolve("replica"), 1_024);
        replica.beginSnapshot(1);
        replica.endSnapshot(1);
        authorizer = Authorizer.builder(replica, Clock.fixed(NOW, ZoneOffset.UTC), CheckSettings.defaults())
                .listener(metrics).lastUsed(new LastUsedTracker()).build();
    }

    /** Adds an active service-account project key with preset All; returns its token. */
    String addKey(String keyId) {
        String token = TokenFormat.generate(TokenType.SERVICE_ACCOUNT);
        replica.upsert(KeyRecord.newBuilder()
                .setKeyId(keyId)
                .setKind(KeyKind.KEY_KIND_PROJECT)
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setProjectId("proj_1")
                .setStatus(KeyStatus.KEY_STATUS_ACTIVE)
                .setPermissions(Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_ALL))
                .addSecrets(SecretDigest.newBuilder().setSha256(ByteString.copyFrom(TokenFormat.sha256(token))))
                .setRevision(2)
                .build());
        return token;
    }

    /** {@code POST /v1/chat/completions} with {@code header: value}, as Envoy sends it by default. */
    static CheckRequest chat(String header, String value) {
        AttributeContext.HttpRequest http = AttributeContext.HttpRequest.newBuilder()
                .setMethod("POST").setPath(CHAT)
                .putHeaders(":method", "POST").putHeaders(":path", CHAT)
                .putHeaders(header, value)
                .build();
        return CheckRequest.newBuilder()
                .setAttributes(AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder().setHttp(http)))
                .build();
    }

    static CheckRequest bearer(String token) {
        return chat("authorization", "Bearer " + token);
    }

    @Override
    public void close() {
        replica.close();
    }
}
