package dev.keymeter.replication;

import dev.keymeter.store.KeyStore;
import dev.keymeter.store.StoreReader;
import java.time.Clock;
import java.util.Objects;

/**
 * The control plane's replication, assembled: the {@link RevisionNotifier} that commits go to, the
 * {@link WatchService} to register on the gRPC server, the change-log compaction and, when other
 * control planes share the store, the {@link RevisionFeed} that brings their commits. Start it
 * after the store opens and wire {@link #committed} to the rules' commit listener; close it after
 * the gRPC server stops taking calls and before the store closes.
 */
public final class Replication implements AutoCloseable {

    private final RevisionNotifier notifier;
    private final WatchService watchService;
    private final ChangeLogCompaction compaction;
    /** Commits of other control planes sharing the store; {@code null} when the store is this process's alone. */
    private final RevisionFeed feed;

    private Replication(RevisionNotifier notifier, WatchService watchService, ChangeLogCompaction compaction,
            RevisionFeed feed) {
        this.notifier = notifier;
        this.watchService = watchService;
        this.compaction = compaction;
        this.feed = feed;
    }

    public static Replication start(KeyStore store, Clock clock, ReplicationSettings settings) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(settings, "settings");
        RevisionNotifier notifier = new RevisionNotifier(store.read(StoreReader::currentRevision));
        WatchService service = new WatchService(store, notifier, clock, settings);
        ChangeLogCompaction compaction = new ChangeLogCompaction(store, notifier, settings.changeLogRetain(),
                settings.compactEvery());
        RevisionFeed feed = store.shared() ? new RevisionFeed(store, notifier) : null;
        return new Replication(notifier, service, compaction, feed);
    }

    /** A mutation committed {@code revision}: wake the streams. */
    public void committed(long revision) {
        notifier.committed(revision);
    }

    public RevisionNotifier notifier() {
        return notifier;
    }

    public WatchService watchService() {
        return watchService;
    }

    /** Ends every Watch stream and stops compacting. */
    @Override
    public void close() {
        try {
            if (feed != null) {
                feed.close();
            }
            watchService.close();
        } finally {
            compaction.close();
        }
    }
}
