package dev.keymeter.store;

import java.io.IOException;
import dev.keymeter.files.OwnerOnly;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded store: one SQLite file, reached through JDBC (xerial sqlite-jdbc).
 *
 * <h2>Concurrency</h2>
 * Two connections, each guarded by its own lock. Every {@link #write} runs on the write connection
 * under {@code writeLock}, so writers of this process queue in Java rather than spin on SQLite's
 * busy handler; every {@link #read} runs on a second, {@code query_only} connection under
 * {@code readLock}. In WAL mode a reader sees the last committed state as of its first statement
 * and is never blocked by a writer, so reads do not wait behind a writer's fsync. Reads serialize
 * among themselves, which is plenty for an admin API (the request hot path never reads this store).
 * A callback must not open another transaction of the same store on the same thread: that would
 * deadlock or read around its own uncommitted writes, so it fails with {@link IllegalStateException}.
 *
 * <p>{@link #readDetached} is the exception to "reads serialize": it opens a {@code query_only}
 * connection of its own for the one call and takes neither lock, so a replication snapshot streamed
 * at a slow sidecar's pace holds up no admin call. WAL keeps its view fixed while writers commit
 * (the WAL cannot be reset past a reader that old, so it grows until the read ends). Such reads are
 * not counted: whoever starts them ends them before closing the store.
 *
 * <p>Write transactions start with {@code BEGIN IMMEDIATE}: the write lock is taken before the
 * first read, so a transaction that reads and then writes cannot fail halfway with
 * {@code SQLITE_BUSY_SNAPSHOT} when another process (an offline tool on the same file) wrote in
 * between; a busy file is waited for up to the busy timeout instead.
 *
 * <h2>Durability</h2>
 * {@code journal_mode=WAL} with {@code synchronous=FULL}: the write-ahead log is fsynced at every
 * commit, so when {@code write} returns the transaction survives a crash of the process and of the
 * machine (the {@link KeyStore} contract). {@code synchronous=NORMAL} would be faster but, in WAL
 * mode, may lose the last commits on power loss. A killed process leaves the WAL behind; SQLite
 * replays or discards it at the next open, so a commit is either whole or absent.
 * {@code foreign_keys=ON} makes secrets and memberships go with their key or project.
 *
 * <p>At open the schema is brought up to date by {@link Migrations}; a database written by a
 * newer version is refused.
 */
public final class SqliteKeyStore implements JdbcStore {

    /** How long a connection waits for another process's lock on the file before failing. */
    static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private final Path file;
    private final Connection writer;
    private final Connection reader;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private volatile boolean closed;

    private SqliteKeyStore(Path file, Connection writer, Connection reader) {
        this.file = file;
        this.writer = writer;
        this.reader = reader;
    }

    /**
     * Opens (creating it and its parent directories if needed) and migrates the database file. A new
     * database is created 0600 in directories created 0700; SQLite gives its {@code -wal} and
     * {@code -shm} files the database file's mode, and a store from an older version is restricted
     * on open.
     */
    public static SqliteKeyStore open(Path databaseFile) {
        Path file = Objects.requireNonNull(databaseFile, "databaseFile").toAbsolutePath();
        try {
            OwnerOnly.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                OwnerOnly.createNewFile(file); // an empty file is an empty SQLite database
            }
        } catch (FileAlreadyExistsException raced) {
            // another process created it first: it is a database file like any other
        } catch (IOException e) {
            throw new StoreException("create the store " + file + " failed: " + e.getMessage(), e);
        }
        Migrations.migrateSqlite(file);
        Connection writer = connect(file, false);
        try {
            SqliteKeyStore store = new SqliteKeyStore(file, writer, connect(file, true));
            restrict(file);
            return store;
        } catch (RuntimeException e) {
            closeQuietly(writer, e);
            throw e;
        }
    }

    /** Makes the database and its WAL files owner-only (they exist once a connection is open). */
    private static void restrict(Path file) {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Path f = file.resolveSibling(file.getFileName() + suffix);
            try {
                OwnerOnly.restrict(f);
            } catch (IOException e) {
                throw new StoreException("make " + f + " owner-only (0600) failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public <T> T write(Function<StoreWriter, T> work) {
        Objects.requireNonNull(work, "work");
        try {
            return locked(writeLock, () -> Transactions.write(writer, "write transaction", () -> {
                StoreTransaction tx = StoreTransaction.forWrite(writer);
                try {
                    return work.apply(tx);
                } finally {
                    tx.end();
                }
            }));
        } catch (StoreFullException full) {
            throw full.at(file.getParent().toString()); // the log names the directory whose disk is full
        }
    }

    @Override
    public <T> T read(Function<StoreReader, T> work) {
        Objects.requireNonNull(work, "work");
        return locked(readLock, () -> Transactions.read(reader, "read transaction", () -> {
            StoreTransaction tx = StoreTransaction.forRead(reader);
            try {
                return work.apply(tx);
            } finally {
                tx.end();
            }
        }));
    }

    /** Runs {@code work} in a read transaction on a connection opened for it alone (see the class comment). */
    @Override
    public <T> T readDetached(Function<StoreReader, T> work) {
        Objects.requireNonNull(work, "work");
        requireNotInTransaction();
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
        // A failure of the work propagates; a failure to close only then, suppressed into it.
        try (Connection detached = connect(file, true)) {
            return Transactions.read(detached, "detached read transaction", () -> {
                StoreTransaction tx = StoreTransaction.forRead(detached);
                try {
                    return work.apply(tx);
                } finally {
                    tx.end();
                }
            });
        } catch (SQLException e) {
            throw new StoreException("close the connection of a detached read failed", e);
        }
    }

    @Override
    public int compactChangesThrough(long revision) {
        return locked(writeLock, () -> Transactions.write(writer, "compact the change log",
                () -> StoreTransaction.forWrite(writer).compactChangesThrough(revision)));
    }

    @Override
    public Dialect dialect() {
        return Dialect.SQLITE;
    }

    /** Raw work on the reader connection; see {@link JdbcStore}. */
    @Override
    public <T> T readJdbc(ConnectionWork<T> work, String operation) {
        return locked(readLock, () -> Transactions.read(reader, operation, () -> work.run(reader)));
    }

    /** Raw work on the writer connection; see {@link JdbcStore}. */
    @Override
    public <T> T writeJdbc(ConnectionWork<T> work, String operation) {
        return locked(writeLock, () -> Transactions.write(writer, operation, () -> work.run(writer)));
    }

    /** SQLite's {@code PRAGMA integrity_check}: {@code "ok"}, or the problems it found. */
    String integrityCheck() {
        return locked(readLock, () -> Transactions.read(reader, "check integrity",
                () -> String.join("\n", Sql.query(reader, "PRAGMA integrity_check", row -> row.getString(1)))));
    }

    /** Closes both connections; waits for transactions in progress. Closing twice does nothing. */
    @Override
    public void close() {
        requireNotInTransaction();
        writeLock.lock();
        readLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try (writer; reader) {
                // try-with-resources closes both, reader first, and keeps the first failure.
            } catch (SQLException e) {
                throw new StoreException("close the store failed", e);
            }
        } finally {
            readLock.unlock();
            writeLock.unlock();
        }
    }

    private <T> T locked(ReentrantLock lock, Supplier<T> body) {
        requireNotInTransaction();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the store is closed");
            }
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    private void requireNotInTransaction() {
        if (writeLock.isHeldByCurrentThread() || readLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("this thread is inside a transaction of this store;"
                    + " do all the work of one call in one read or write callback");
        }
    }

    private static Connection connect(Path file, boolean queryOnly) {
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + file);
        Connection connection = null;
        try {
            connection = source.getConnection();
            // The busy timeout first: switching to WAL needs a lock another process may hold.
            Sql.execute(connection, "PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
            String mode = Sql.queryOne(connection, "PRAGMA journal_mode = WAL", row -> row.getString(1)).orElse("");
            if (!mode.equalsIgnoreCase("wal")) {
                throw new StoreException("the store " + file + " cannot use WAL (journal mode " + mode + ")", null);
            }
            Sql.execute(connection, "PRAGMA synchronous = FULL");
            Sql.execute(connection, "PRAGMA foreign_keys = ON");
            if (queryOnly) {
                Sql.execute(connection, "PRAGMA query_only = ON");
            }
            return connection;
        } catch (SQLException e) {
            StoreException failure = new StoreException("open the store " + file + " failed", e);
            closeQuietly(connection, failure);
            throw failure;
        } catch (RuntimeException e) {
            closeQuietly(connection, e);
            throw e;
        }
    }

    private static void closeQuietly(Connection connection, Throwable cause) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
