package dev.keymeter.chronicle;

import java.io.IOException;

/**
 * A map file that {@link ChronicleFiles#openChecked} refuses at once instead of letting Chronicle wait
 * 60 s for a creator that cannot be alive.
 */
public final class UnusableMapFileException extends IOException {

    private final boolean neverCompleted;

    UnusableMapFileException(String message, boolean neverCompleted) {
        super(message);
        this.neverCompleted = neverCompleted;
    }

    /**
     * True when the file's creator died before the map was ready (its header is short, empty or
     * marked incomplete): no entry was ever written to it, so deleting it loses nothing.
     */
    public boolean neverCompleted() {
        return neverCompleted;
    }
}
