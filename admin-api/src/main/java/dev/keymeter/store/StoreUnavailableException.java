package dev.keymeter.store;

/**
 * The database cannot be reached now (down, restarting, the network): nothing was written by the
 * call that failed, or — when the connection broke during the commit — the transaction either
 * committed whole or not at all. Retrying later may work; the admin API answers UNAVAILABLE.
 */
public class StoreUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
