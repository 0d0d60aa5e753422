package dev.keymeter.check;

import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicaEntry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real replica, with its lookups counted (to prove that a malformed token is refused without one)
 * and, on demand, failing (to see what Check does with an unreadable replica). A decorator of the
 * real thing, not a mock: every other call goes straight through.
 */
final class CountingReplica implements KeyReplica {

    private final KeyReplica delegate;
    private final AtomicInteger lookups = new AtomicInteger();
    private volatile boolean failing;

    CountingReplica(KeyReplica delegate) {
        this.delegate = delegate;
    }

    int lookups() {
        return lookups.get();
    }

    void failLookups(boolean fail) {
        failing = fail;
    }

    @Override
    public boolean lookup(byte[] sha256, ReplicaEntry into) {
        lookups.incrementAndGet();
        if (failing) {
            throw new IllegalStateException("replica unreadable (test)");
        }
        return delegate.lookup(sha256, into);
    }

    @Override
    public boolean lookupKey(String keyId, ReplicaEntry into) {
        return delegate.lookupKey(keyId, into);
    }

    @Override
    public void upsert(KeyRecord record) {
        delegate.upsert(record);
    }

    @Override
    public void delete(String keyId) {
        delegate.delete(keyId);
    }

    @Override
    public void beginSnapshot(long revision) {
        delegate.beginSnapshot(revision);
    }

    @Override
    public void endSnapshot(long revision) {
        delegate.endSnapshot(revision);
    }

    @Override
    public void dropCachedCopies() {
        delegate.dropCachedCopies();
    }

    @Override
    public long appliedRevision() {
        return delegate.appliedRevision();
    }

    @Override
    public void markApplied(long revision) {
        delegate.markApplied(revision);
    }

    @Override
    public boolean isLoaded() {
        return delegate.isLoaded();
    }

    @Override
    public long keyCount() {
        return delegate.keyCount();
    }

    @Override
    public long digestCount() {
        return delegate.digestCount();
    }

    @Override
    public long digestCapacity() {
        return delegate.digestCapacity();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
