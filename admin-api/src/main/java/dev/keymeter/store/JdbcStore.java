package dev.keymeter.store;

import java.sql.Connection;

/**
 * A store over JDBC, as {@link StoreCopy} needs it: a transaction on the raw connection, and the
 * dialect it speaks. Package-private: everything else goes through {@link KeyStore}.
 */
interface JdbcStore extends KeyStore {

    /** Work on a connection whose transaction is open. */
    @FunctionalInterface
    interface ConnectionWork<T> {
        T run(Connection connection) throws java.sql.SQLException;
    }

    Dialect dialect();

    /** Runs {@code work} in a read transaction (one consistent state) on the store's connection. */
    <T> T readJdbc(ConnectionWork<T> work, String operation);

    /** Runs {@code work} in a read-write transaction on the store's connection; commits when it returns. */
    <T> T writeJdbc(ConnectionWork<T> work, String operation);
}
