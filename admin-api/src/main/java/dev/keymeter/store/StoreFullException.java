package dev.keymeter.store;

/**
 * A write failed because the disk under the store is full (SQLite's {@code SQLITE_FULL}, an
 * {@code IOException} "No space left on device", PostgreSQL's SQLSTATE 53100 disk_full). Nothing
 * of the failed transaction was written: it rolled back whole. Retrying works once space returns;
 * the admin API answers RESOURCE_EXHAUSTED.
 */
public class StoreFullException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final String location;

    public StoreFullException(String message, Throwable cause) {
        this(message, cause, "");
    }

    private StoreFullException(String message, Throwable cause, String location) {
        super(message, cause);
        this.location = location;
    }

    /** Where the full disk is (a directory, or the database server), for the log only; empty when unknown. */
    public String location() {
        return location;
    }

    /** The same failure, saying where the full disk is. */
    StoreFullException at(String where) {
        StoreFullException located = new StoreFullException(getMessage(), getCause(), where);
        located.setStackTrace(getStackTrace());
        return located;
    }
}
