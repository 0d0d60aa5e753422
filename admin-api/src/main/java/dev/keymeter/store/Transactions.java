package dev.keymeter.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs work between BEGIN and COMMIT on one connection, rolling back when the work throws. The
 * connection stays in JDBC auto-commit mode: transactions are the explicit SQL statements, so the
 * kind of BEGIN is ours to choose. Callers hold the connection's lock.
 */
final class Transactions {

    /** Work inside a transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    private Transactions() {
    }

    /**
     * A read-write transaction. {@code BEGIN IMMEDIATE} takes SQLite's write lock up front: a
     * deferred transaction that reads and then writes can fail with {@code SQLITE_BUSY_SNAPSHOT}
     * when another connection wrote in between, and that failure bypasses the busy timeout.
     */
    static <T> T write(Connection connection, String operation, Work<T> work) {
        return write(connection, Dialect.SQLITE, operation, work);
    }

    /** A read transaction: its snapshot starts at the first read and holds until it ends. */
    static <T> T read(Connection connection, String operation, Work<T> work) {
        return read(connection, Dialect.SQLITE, operation, work);
    }

    /** A read-write transaction in {@code dialect} (see {@link Dialect#beginWrite}). */
    static <T> T write(Connection connection, Dialect dialect, String operation, Work<T> work) {
        return run(connection, dialect.beginWrite(), operation, work);
    }

    /** A read transaction that sees one consistent state, in {@code dialect}. */
    static <T> T read(Connection connection, Dialect dialect, String operation, Work<T> work) {
        return run(connection, dialect.beginRead(), operation, work);
    }

    private static <T> T run(Connection connection, String begin, String operation, Work<T> work) {
        try {
            Sql.execute(connection, begin);
        } catch (SQLException e) {
            throw Failures.translate(operation + ": begin a transaction", e);
        }
        T result;
        try {
            result = work.run();
        } catch (SQLException e) {
            rollback(connection, e);
            throw Failures.translate(operation, e);
        } catch (Throwable e) {
            // Throwable, not RuntimeException: even a sneakily thrown checked exception must not leave
            // the connection inside a transaction. Precise rethrow keeps the original unchanged.
            rollback(connection, e);
            throw e;
        }
        try {
            Sql.execute(connection, "COMMIT");
        } catch (SQLException e) {
            rollback(connection, e);
            throw Failures.translate(operation + ": commit", e);
        }
        return result;
    }

    private static void rollback(Connection connection, Throwable cause) {
        try {
            Sql.execute(connection, "ROLLBACK");
        } catch (SQLException e) {
            // SQLite may already have rolled back (e.g. after an I/O error); keep the first failure.
            cause.addSuppressed(e);
        }
    }
}
