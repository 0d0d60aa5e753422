package dev.keymeter.sidecar;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a start has opened so far (files, threads, listeners), so that a step that fails closes
 * everything before it, last opened first: a failed start must leave no thread running, no port bound
 * and no file locked, or the next start in the same data directory would find them. Confined to the
 * starting thread.
 */
final class OpenedParts {

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Notes {@code part}, closed by {@code closing} if a later step fails; returns {@code part}. */
    <T> T add(T part, AutoCloseable closing) {
        opened.push(closing);
        return part;
    }

    /** Closes every part, last opened first; what fails to close is added to {@code failure}. */
    void closeAfter(Throwable failure) {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception | Error closing) {
                failure.addSuppressed(closing);
            }
        }
    }
}
