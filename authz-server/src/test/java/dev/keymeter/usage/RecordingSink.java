package dev.keymeter.usage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real {@link UsageSink} for tests: knows a fixed set of keys, de-duplicates by request id (first
 * settlement wins), prices unknown cost at {@link #MICRO_USD_PER_TOKEN} per token, and records every
 * record it was given (in order) and every one it counted. Can be told to throw, to exercise failures.
 */
final class RecordingSink implements UsageSink {

    static final long MICRO_USD_PER_TOKEN = 2;

    private final Set<String> knownKeys;
    private final Set<String> seenRequestIds = ConcurrentHashMap.newKeySet();
    private final List<UsageRecord> received = new ArrayList<>();
    private final List<UsageRecord> counted = new ArrayList<>();
    private volatile String failForKey;

    RecordingSink(String... knownKeys) {
        this.knownKeys = Set.of(knownKeys);
    }

    /** From now on, settling a record of {@code keyId} throws. */
    void failFor(String keyId) {
        failForKey = keyId;
    }

    @Override
    public Settlement settle(UsageRecord usage) {
        synchronized (this) {
            received.add(usage);
        }
        if (usage.keyId().equals(failForKey)) {
            throw new IllegalStateException("ledger on fire (test)");
        }
        if (!knownKeys.contains(usage.keyId())) {
            return Settlement.UNKNOWN_KEY;
        }
        if (usage.requestId() != null && !seenRequestIds.add(usage.requestId())) {
            return Settlement.DUPLICATE;
        }
        synchronized (this) {
            counted.add(usage);
        }
        long cost = usage.hasCost() ? usage.costMicroUsd() : usage.totalTokens() * MICRO_USD_PER_TOKEN;
        return new Settlement(Settlement.Outcome.COUNTED, cost);
    }

    synchronized List<UsageRecord> received() {
        return List.copyOf(received);
    }

    synchronized List<UsageRecord> counted() {
        return List.copyOf(counted);
    }

    /** Waits (up to 30 s) until the sink was handed at least {@code n} records; then returns them. */
    List<UsageRecord> awaitReceived(int n) throws InterruptedException {
        awaitTrue(() -> received().size() >= n, "sink to receive " + n + " records, got " + received().size());
        return received();
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
