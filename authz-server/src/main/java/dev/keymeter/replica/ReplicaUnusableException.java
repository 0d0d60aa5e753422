package dev.keymeter.replica;

import java.io.IOException;

/**
 * The replica's files exist but cannot serve: Chronicle cannot open them, their meta record is
 * missing or of an unknown layout, or they were sized for another capacity.
 *
 * <p>{@link ChronicleKeyReplica#openOrRebuild} answers it by moving the files aside and starting
 * empty; {@link ChronicleKeyReplica#open} passes it on. It never means "in use by another
 * process": that is a plain {@link IOException}, and those files are left alone.
 */
public final class ReplicaUnusableException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean resized;

    ReplicaUnusableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    ReplicaUnusableException(String message, Throwable cause, boolean resized) {
        super(message, cause);
        this.resized = resized;
    }

    /**
     * True when the files are sound but were created for another digest capacity: nothing is wrong
     * with them, so a rebuild deletes them instead of keeping them for diagnosis.
     */
    public boolean resized() {
        return resized;
    }
}
