package dev.keymeter.check;

import dev.keymeter.routes.ResourceAccess;

/**
 * Hears every decision, for metrics and logs (the server layer resolves its meters once and hooks them
 * here). Called on the gRPC thread that decided, inside the hot path: implementations must not block,
 * must not throw, and should not allocate per call. Never given the token: only the key id, which is
 * safe to show.
 *
 * <p>Every method defaults to doing nothing; {@link #NONE} is the listener that hears nothing.
 */
public interface DecisionListener {

    DecisionListener NONE = new DecisionListener() {
    };

    /** A listener that tells each of {@code listeners}, in order (e.g. metrics, then the denial log). */
    static DecisionListener of(DecisionListener... listeners) {
        DecisionListener[] all = listeners.clone();
        return new DecisionListener() {
            @Override
            public void allowed(String keyId, ResourceAccess route) {
                for (DecisionListener l : all) {
                    l.allowed(keyId, route);
                }
            }

            @Override
            public void denied(DenialReason reason, String keyId) {
                for (DecisionListener l : all) {
                    l.denied(reason, keyId);
                }
            }

            @Override
            public void notReady() {
                for (DecisionListener l : all) {
                    l.notReady();
                }
            }

            @Override
            public void decided(long elapsedNanos) {
                for (DecisionListener l : all) {
                    l.decided(elapsedNanos);
                }
            }

            @Override
            public void failed(RuntimeException cause) {
                for (DecisionListener l : all) {
                    l.failed(cause);
                }
            }
        };
    }

    /** The request may go on. */
    default void allowed(String keyId, ResourceAccess route) {
    }

    /**
     * The request was refused.
     *
     * @param keyId the key, or {@code null} when the caller did not authenticate as one (missing,
     *     malformed or unknown token)
     */
    default void denied(DenialReason reason, String keyId) {
    }

    /** No decision: the replica has not loaded yet, and Check answered gRPC UNAVAILABLE. */
    default void notReady() {
    }

    /** How long the decision took, measured around it by {@link CheckService} (after any of the above). */
    default void decided(long elapsedNanos) {
    }

    /** No decision: deciding failed (e.g. the replica could not be read), and Check answered gRPC INTERNAL. */
    default void failed(RuntimeException cause) {
    }
}
