package dev.keymeter.replica;

import java.util.List;

/**
 * One key's new state, checked and converted from the replication record: the entry every digest
 * of the key shares, and the digests with their own grace expiries.
 *
 * @param keyId   the key's id, valid per {@link dev.keymeter.chronicle.KeyIdBytes}
 * @param entry   the shared fields; its {@code secretExpiresAtMillis} is ignored
 * @param secrets 0 to 2 distinct digests; none means the key can no longer authenticate
 */
record KeyUpdate(String keyId, ReplicaEntry entry, List<Secret> secrets) {

    KeyUpdate {
        secrets = List.copyOf(secrets);
    }

    /**
     * @param sha256          the digest, 32 bytes
     * @param expiresAtMillis the end of this secret's grace period; {@link ReplicaEntry#NEVER} for
     *                        the current secret
     */
    record Secret(byte[] sha256, long expiresAtMillis) {}

    List<byte[]> digests() {
        return secrets.stream().map(Secret::sha256).toList();
    }
}
