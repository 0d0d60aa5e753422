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
 * @param maxWatchStreams {@code --max-watch-streams}: most Watch streams served at once; one more is
 *     refused RESOURCE_EXHAUSTED
 * @param watchSendTimeout {@code --watch-send-timeout}: how long a stream waits for a sidecar that
 *     does not read before it cancels the stream and lets go of the store
 */
public record ReplicationSettings(Duration heartbeatInterval, long changeLogRetain, long compactEvery,
        int maxWatchStreams, Duration watchSendTimeout) {

    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    public static final long DEFAULT_CHANGE_LOG_RETAIN = 100_000;
    public static final long DEFAULT_COMPACT_EVERY = 1_000;
    public static final int DEFAULT_MAX_WATCH_STREAMS = 256;
    /** The cap's ceiling: each stream holds a little memory and a flow-control window of the transport. */
    public static final int MAX_WATCH_STREAMS_LIMIT = 100_000;
    public static final Duration DEFAULT_WATCH_SEND_TIMEOUT = Duration.ofSeconds(30);

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
        if (maxWatchStreams < 1 || maxWatchStreams > MAX_WATCH_STREAMS_LIMIT) {
            throw new IllegalArgumentException("--max-watch-streams must be 1–" + MAX_WATCH_STREAMS_LIMIT
                    + ", was " + maxWatchStreams);
        }
        Objects.requireNonNull(watchSendTimeout, "watchSendTimeout");
        if (watchSendTimeout.toMillis() < 1 || watchSendTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--watch-send-timeout must be between 1ms and 1h, was "
                    + watchSendTimeout);
        }
    }

    public static ReplicationSettings defaults() {
        return new ReplicationSettings(DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_CHANGE_LOG_RETAIN, DEFAULT_COMPACT_EVERY,
                DEFAULT_MAX_WATCH_STREAMS, DEFAULT_WATCH_SEND_TIMEOUT);
    }

    public ReplicationSettings withHeartbeatInterval(Duration newInterval) {
        return new ReplicationSettings(newInterval, changeLogRetain, compactEvery, maxWatchStreams, watchSendTimeout);
    }

    public ReplicationSettings withChangeLogRetain(long newRetain, long newCompactEvery) {
        return new ReplicationSettings(heartbeatInterval, newRetain, newCompactEvery, maxWatchStreams,
                watchSendTimeout);
    }

    /** The bounds of Watch: {@code --max-watch-streams} and {@code --watch-send-timeout}. */
    public ReplicationSettings withWatchBounds(int newMaxStreams, Duration newSendTimeout) {
        return new ReplicationSettings(heartbeatInterval, changeLogRetain, compactEvery, newMaxStreams,
                newSendTimeout);
    }
}
