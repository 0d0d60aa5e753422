package dev.keymeter.store;

/**
 * One entry of the change log replication serves: key {@code keyId} changed at {@code revision};
 * {@code deleted} when the change removed it.
 */
public record KeyChange(long revision, String keyId, boolean deleted) {
}
