package dev.keymeter.store;

/**
 * What differs between the two databases the store runs on, beyond the SQL they share: how a
 * transaction begins.
 */
enum Dialect {

    /**
     * {@code BEGIN IMMEDIATE} takes SQLite's write lock up front (see {@link Transactions}); a read
     * transaction's snapshot starts at its first read.
     */
    SQLITE("BEGIN IMMEDIATE", "BEGIN DEFERRED"),

    /**
     * Writes run at READ COMMITTED: every write that records a key change first bumps the revision
     * row in {@code meta}, whose row lock is held until commit, so such writes commit one at a time in
     * revision order (see {@link PostgresKeyStore}). Reads see one snapshot (REPEATABLE READ) and
     * cannot write.
     */
    POSTGRESQL("BEGIN ISOLATION LEVEL READ COMMITTED", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");

    private final String beginWrite;
    private final String beginRead;

    Dialect(String beginWrite, String beginRead) {
        this.beginWrite = beginWrite;
        this.beginRead = beginRead;
    }

    String beginWrite() {
        return beginWrite;
    }

    String beginRead() {
        return beginRead;
    }
}
