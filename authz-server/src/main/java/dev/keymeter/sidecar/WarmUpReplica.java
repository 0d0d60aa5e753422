package dev.keymeter.sidecar;

import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicaEntry;
import java.security.MessageDigest;

/**
 * The replica the warm-up decides from: one key of its own, held on the heap and known to nothing
 * else (a fresh random token, an id no control plane issues), with limits, so that its Checks take the
 * budget step. Any other digest is looked up in the sidecar's real replica, read-only: a warm-up Check
 * with an unknown token walks the real lookup and changes nothing. Writes are refused: nothing
 * replicates into it. Thread-safe (immutable after construction).
 */
final class WarmUpReplica implements KeyReplica {

    /** Not an id the control plane issues (those are {@code key_…}): no report can ever name a real key. */
    static final String KEY_ID = "_warmup";

    private final KeyReplica realReplica;
    private final String token = TokenFormat.generate(TokenType.of(KeyKind.PROJECT, OwnerType.SERVICE_ACCOUNT));
    private final byte[] digest = TokenFormat.sha256(token);
    private final ReplicaEntry key = new ReplicaEntry();

    WarmUpReplica(KeyReplica realReplica) {
        this.realReplica = realReplica;
        key.keyId = KEY_ID;
        key.kind = KeyKind.PROJECT;
        key.ownerType = OwnerType.SERVICE_ACCOUNT;
        key.projectId = "_warmup";
        key.status = KeyStatus.ACTIVE;
        key.preset = PermissionPreset.ALL;
        key.requestsPerMinute = 1_000_000; // above any warm-up's Checks: the allow path, not the 429
        key.tokenLimit = 1_000_000_000_000L;
        key.revision = 1;
    }

    /** The warm-up key's token: sent only to the in-process warm-up server. */
    String token() {
        return token;
    }

    @Override
    public boolean lookup(byte[] sha256, ReplicaEntry into) {
        if (MessageDigest.isEqual(sha256, digest)) {
            into.copyFrom(key);
            return true;
        }
        return realReplica.lookup(sha256, into);
    }

    @Override
    public boolean lookupKey(String keyId, ReplicaEntry into) {
        if (KEY_ID.equals(keyId)) {
            into.copyFrom(key);
            return true;
        }
        return false;
    }

    @Override
    public void upsert(KeyRecord record) {
        throw readOnly();
    }

    @Override
    public void delete(String keyId) {
        throw readOnly();
    }

    @Override
    public void beginSnapshot(long revision) {
        throw readOnly();
    }

    @Override
    public void endSnapshot(long revision) {
        throw readOnly();
    }

    @Override
    public long appliedRevision() {
        return 1;
    }

    @Override
    public void markApplied(long revision) {
        throw readOnly();
    }

    @Override
    public boolean isLoaded() {
        return true;
    }

    @Override
    public long keyCount() {
        return 1;
    }

    @Override
    public long digestCount() {
        return 1;
    }

    @Override
    public long digestCapacity() {
        return 1;
    }

    @Override
    public void close() {
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("the warm-up replica is read-only");
    }
}
