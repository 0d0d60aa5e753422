package dev.keymeter.sidecar;

import dev.keymeter.quota.ChronicleCounterStore;
import dev.keymeter.replica.CachingKeyReplica;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.usage.RecentRequests;
import java.io.IOException;

/**
 * The sidecar's files: the key replica (and the cache every read and write goes through), the
 * persisted counters and the request ids of counted usage. Each holds a lock on its directory while
 * open.
 *
 * @param served the cache in front of {@code replica}: Check reads through it, and replication writes
 *     through it, which is how it learns to drop stale entries
 */
record Storage(ChronicleKeyReplica replica, KeyReplica served, ChronicleCounterStore counters,
        RecentRequests requestIds) {

    /** Opens the three, each noted in {@code opened} as soon as it is open. */
    static Storage open(SidecarConfig config, OpenedParts opened) throws IOException {
        ChronicleKeyReplica replica = ChronicleKeyReplica.openOrRebuild(config.replicaDir(), config.replicaCapacity());
        opened.add(replica, replica::close);
        ChronicleCounterStore counters = ChronicleCounterStore.open(config.countersDir(),
                config.budgets().counterCapacity());
        opened.add(counters, counters::close);
        SidecarBounds bounds = config.bounds();
        RecentRequests requestIds = RecentRequests.open(config.requestIdsDir(), bounds.requestIds(),
                bounds.requestIdRetention().toMillis(), config.clock().millis());
        opened.add(requestIds, requestIds::close);
        return new Storage(replica, new CachingKeyReplica(replica, CachingKeyReplica.DEFAULT_SLOTS), counters,
                requestIds);
    }
}
