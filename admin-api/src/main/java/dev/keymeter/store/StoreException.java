package dev.keymeter.store;

/** The store could not do what was asked: an I/O or database failure, never a rule violation. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
