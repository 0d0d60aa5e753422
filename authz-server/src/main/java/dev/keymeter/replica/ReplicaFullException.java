package dev.keymeter.replica;

/** The replica was sized for fewer entries than the control plane holds: raise the configured capacity. */
public final class ReplicaFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReplicaFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
