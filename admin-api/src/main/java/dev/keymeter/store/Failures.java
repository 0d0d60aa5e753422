package dev.keymeter.store;

import java.sql.SQLException;
import java.util.Map;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Turns a {@link SQLException} into what callers of the store see: a {@link DuplicateException}
 * for a violated uniqueness constraint the schema declares, else a {@link StoreException} naming
 * the operation. SQLite's messages name the constraint, never a bound value; PostgreSQL's would add
 * the duplicate value in a detail line, which {@link PostgresKeyStore} turns off
 * ({@code logServerErrorDetail=false}), so no secret or digest can leak through the cause.
 */
final class Failures {

    /** Constraint names, as SQLite and PostgreSQL report them, and what they keep unique. */
    private static final Map<String, String> UNIQUE = Map.of(
            "keys.id", "key id",
            "keys_pkey", "key id",
            "keys_by_project_name", "key name",
            "secrets.sha256", "secret digest",
            "secrets_pkey", "secret digest",
            "projects.id", "project id",
            "projects_pkey", "project id");
    /** PostgreSQL's SQLSTATE for unique_violation. */
    private static final String UNIQUE_VIOLATION = "23505";
    /** PostgreSQL's SQLSTATE for disk_full. */
    private static final String DISK_FULL = "53100";

    private Failures() {
    }

    static RuntimeException translate(String operation, SQLException e) {
        if (isUniquenessViolation(e)) {
            String message = String.valueOf(e.getMessage());
            for (Map.Entry<String, String> constraint : UNIQUE.entrySet()) {
                if (message.contains(constraint.getKey())) {
                    DuplicateException duplicate = new DuplicateException(constraint.getValue());
                    duplicate.initCause(e);
                    return duplicate;
                }
            }
        }
        if (isDiskFull(e)) {
            return new StoreFullException(operation + " failed: the disk is full", e);
        }
        if (isConnectionFailure(e)) {
            return new StoreUnavailableException(operation + " failed: the database is unreachable", e);
        }
        return new StoreException(operation + " failed", e);
    }

    /**
     * True for a failure to reach the database rather than one of the statement: SQLSTATE class 08
     * (connection exception) or 57P01–57P03 (the server shutting down, crashed, or not yet accepting
     * connections), anywhere in the cause chain.
     */
    static boolean isConnectionFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * True when the disk under the store is full, anywhere in the cause chain: SQLite's
     * {@code SQLITE_FULL} (its extended codes too), an I/O error saying "No space left on device"
     * (ENOSPC, as the JDK and SQLite word it), or PostgreSQL's SQLSTATE 53100 (disk_full).
     */
    static boolean isDiskFull(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException sqlite
                    && (sqlite.getResultCode().code & 0xff) == SQLiteErrorCode.SQLITE_FULL.code) {
                return true;
            }
            if (t instanceof SQLException sql && DISK_FULL.equals(sql.getSQLState())) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && (message.contains("No space left on device") || message.contains("SQLITE_FULL"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static boolean isUniquenessViolation(SQLException e) {
        if (e instanceof SQLiteException sqlite) {
            return sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                    || sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
        }
        return UNIQUE_VIOLATION.equals(e.getSQLState());
    }
}
