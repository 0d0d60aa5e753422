package dev.keymeter.usage;

import dev.keymeter.usage.UsageRecord.Source;

/**
 * Hears what became of every piece of usage {@link AccessLogService} and {@link UsageReportService}
 * took in, for metrics (wired in by the server layer). Called on the gRPC thread that handled it:
 * implementations must not block and must not throw. Never given a header value or a token: only key
 * ids, field names and the parsed numbers.
 *
 * <p>For each access-log HTTP entry, {@link #received} is followed by exactly one of {@link #unmatched},
 * {@link #malformed}, {@link #noUsage}, {@link #counted}, {@link #duplicate}, {@link #unknownKey} or
 * {@link #failed}; for each {@code Report} call, by one of {@link #malformed}, {@link #counted},
 * {@link #duplicate}, {@link #unknownKey} or {@link #failed}.
 *
 * <p>Every method defaults to doing nothing; {@link #NONE} is the listener that hears nothing.
 */
public interface IngestionListener {

    IngestionListener NONE = new IngestionListener() {
    };

    /** A listener that tells each of {@code listeners}, in order. */
    static IngestionListener of(IngestionListener... listeners) {
        IngestionListener[] all = listeners.clone();
        return new IngestionListener() {
            @Override
            public void received(Source source) {
                for (IngestionListener l : all) {
                    l.received(source);
                }
            }

            @Override
            public void unmatched(Source source) {
                for (IngestionListener l : all) {
                    l.unmatched(source);
                }
            }

            @Override
            public void malformed(Source source, String field) {
                for (IngestionListener l : all) {
                    l.malformed(source, field);
                }
            }

            @Override
            public void noUsage(Source source, String keyId, boolean reserved) {
                for (IngestionListener l : all) {
                    l.noUsage(source, keyId, reserved);
                }
            }

            @Override
            public void counted(UsageRecord usage, Settlement settlement) {
                for (IngestionListener l : all) {
                    l.counted(usage, settlement);
                }
            }

            @Override
            public void duplicate(UsageRecord usage) {
                for (IngestionListener l : all) {
                    l.duplicate(usage);
                }
            }

            @Override
            public void unknownKey(UsageRecord usage) {
                for (IngestionListener l : all) {
                    l.unknownKey(usage);
                }
            }

            @Override
            public void failed(Source source, RuntimeException cause) {
                for (IngestionListener l : all) {
                    l.failed(source, cause);
                }
            }

            @Override
            public void unauthenticated(Source source) {
                for (IngestionListener l : all) {
                    l.unauthenticated(source);
                }
            }
        };
    }

    /** One access-log HTTP entry or one {@code Report} call arrived. */
    default void received(Source source) {
    }

    /**
     * An access-log entry that no key made: no {@code key_id} in the ext_authz metadata (anonymous or
     * denied without a key, or a request that did not pass through keymeter), or a request keymeter
     * denied (nothing went upstream, so there is nothing to charge). Skipped.
     */
    default void unmatched(Source source) {
    }

    /**
     * A value that is present but not usable (a token count that is not a non-negative integer, a cost
     * that is not a decimal USD amount, a key id of the wrong shape, an invalid {@code Report} field).
     * The entry was skipped, the call refused.
     *
     * @param field the setting or field name that held it (a header name from {@link UsageSettings},
     *              a metadata key, or a {@code ReportRequest} field): a bounded set, never the value
     */
    default void malformed(Source source, String field) {
    }

    /**
     * An access-log entry of a key that carries no usage at all. Not settled: an entry with a
     * reservation is left for the reservation to expire (charged as reserved), never settled at zero.
     *
     * @param reserved whether Check made a reservation for the request
     */
    default void noUsage(Source source, String keyId, boolean reserved) {
    }

    /** The sink charged {@code usage} to its key. */
    default void counted(UsageRecord usage, Settlement settlement) {
    }

    /** The sink had already counted this request id: acknowledged, not charged again. */
    default void duplicate(UsageRecord usage) {
    }

    /** The key is not in this sidecar's replica: nothing was charged. */
    default void unknownKey(UsageRecord usage) {
    }

    /** Handling the usage failed unexpectedly (a bug or the ledger failing); nothing was charged. */
    default void failed(Source source, RuntimeException cause) {
    }

    /**
     * A call refused before it reached the service: no client certificate and no known ingest token
     * ({@code dev.keymeter.ingest}). Not preceded by {@link #received}: nothing of it was read.
     */
    default void unauthenticated(Source source) {
    }
}
