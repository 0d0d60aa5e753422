package dev.keymeter.check;

import dev.keymeter.replica.ReplicaEntry;

/**
 * The per-thread working state of Check: reused by every request the thread decides, so that the
 * decision itself allocates (almost) nothing. gRPC runs Check on a few long-lived transport threads
 * ({@code directExecutor()}, design §4b), so there are few of these; they live as long as their thread.
 */
final class Scratch {

    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

    final RequestHeaders headers = new RequestHeaders();
    final TokenBytes token = new TokenBytes();
    /** Filled in place by {@link dev.keymeter.replica.KeyReplica#lookup}. */
    final ReplicaEntry key = new ReplicaEntry();
    final HeaderCache rateHeaders = new HeaderCache();

    private Scratch() {
    }

    static Scratch forThisThread() {
        return PER_THREAD.get();
    }
}
