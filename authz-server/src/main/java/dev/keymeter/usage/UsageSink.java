package dev.keymeter.usage;

/**
 * Takes the usage of finished requests and charges it to their keys: the one entry point the
 * access-log stream and the {@code Report} RPC share, so that both de-duplicate against each other by
 * request id. Thread-safe; may be called from any gRPC thread.
 */
public interface UsageSink {

    Settlement settle(UsageRecord usage);
}
