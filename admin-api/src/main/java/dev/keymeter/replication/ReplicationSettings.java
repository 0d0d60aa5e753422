package dev.keymeter.replication;

import java.time.Duration;
import java.util.Objects;

/**
 * How the control plane serves replication.
 *
 * @param heartbeatInterval how long a Watch stream stays silent before it sends a heartbeat; also
 *     how often an idle stream looks at the store for commits it was not told about (an offline
 *     tool writing the same file)
 * @param changeLogRetain how many revisions of the change log to keep; a sidecar further behind gets
 *     a snapshot
 * @param compactEvery compact the change log each time this many revisions have passed
 */
public record ReplicationSettings(Duration heartbeatInterval, long changeLogRetain, long compactEvery) {

    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    public static final long DEFAULT_CHANGE_LOG_RETAIN = 100_000;
    public static final long DEFAULT_COMPACT_EVERY = 1_000;

    public ReplicationSettings {
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (heartbeatInterval.toMillis() < 1) {
            throw new IllegalArgumentException("heartbeatInterval must be at least 1 ms, was " + heartbeatInterval);
        }
        if (changeLogRetain < 1) {
            throw new IllegalArgumentException("changeLogRetain must be at least 1, was " + changeLogRetain);
        }
        if (compactEvery < 1) {
            throw new IllegalArgumentException("compactEvery must be at least 1, was " + compactEvery);
        }
    }

    public static ReplicationSettings defaults() {
        return new ReplicationSettings(DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_CHANGE_LOG_RETAIN, DEFAULT_COMPACT_EVERY);
    }

    public ReplicationSettings withHeartbeatInterval(Duration newInterval) {
        return new ReplicationSettings(newInterval, changeLogRetain, compactEvery);
    }

    public ReplicationSettings withChangeLogRetain(long newRetain, long newCompactEvery) {
        return new ReplicationSettings(heartbeatInterval, newRetain, newCompactEvery);
    }
}
