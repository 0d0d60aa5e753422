package dev.keymeter.quota;

/**
 * The counter store has no room for another key: its capacity is fixed when its file is created. Check
 * refuses the request (fail closed) and the sidecar reports it; the fix is a larger
 * {@code --quota-capacity} on a new counter file.
 */
public final class CounterStoreFullException extends RuntimeException {

    public CounterStoreFullException(long capacity) {
        super("counter store is full: it holds " + capacity + " keys; start with a larger --quota-capacity");
    }
}
