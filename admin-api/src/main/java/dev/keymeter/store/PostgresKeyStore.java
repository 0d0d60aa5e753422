package dev.keymeter.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The store on PostgreSQL, which several control planes can share. Connections come from a HikariCP
 * pool; every {@link #write} and {@link #read} borrows one for its transaction, so transactions of
 * one control plane run side by side, as do those of several.
 *
 * <h2>Revisions across control planes</h2>
 * A write that records a key change takes its revision with {@code UPDATE meta SET value = value + 1
 * WHERE name = 'revision'} in its own transaction. PostgreSQL holds that row's lock until the
 * transaction ends, so a second such write waits at the same statement until the first has committed
 * (and then reads the incremented value) or rolled back (and then takes the same number again). Such
 * writes therefore commit one at a time, in revision order: a reader that sees revision r committed
 * has every revision below r committed too, so a Watch reading "every change above my cursor" never
 * skips one that commits late, and a revision is never abandoned in the middle of the log. The cost
 * is that key writes are serialized on the database — admin writes, hundreds a second, not the
 * Check path.
 *
 * <p>Reads run at REPEATABLE READ, read-only: one consistent snapshot per call, as the
 * {@link KeyStore} contract asks. Writes run at READ COMMITTED.
 *
 * <h2>Fan-out to other control planes</h2>
 * A write that allocated a revision also sends {@code NOTIFY keymeter_changes, '<revision>'}, which
 * PostgreSQL delivers at commit to every listener. {@link #awaitChange} listens on a connection of its
 * own (outside the pool) and returns on the first notification or after its timeout: a notification
 * is lost while that connection is down, so the caller polls too ({@code RevisionFeed}).
 *
 * <p>The schema is migrated by Flyway ({@code db/postgresql/}, the same versions as SQLite's); its
 * lock makes control planes that start together migrate once. The driver is told not to put a
 * failing row's values in its messages ({@code logServerErrorDetail=false}): a duplicate digest
 * would otherwise appear in an exception.
 */
public final class PostgresKeyStore implements JdbcStore {

    /** Connections each control plane keeps at most. */
    static final int POOL_SIZE = 10;
    /** How long a call waits for a connection (the database may be down) before it fails. */
    static final long CONNECTION_TIMEOUT_MILLIS = 5_000;

    /** The channel key writes notify and {@link #awaitChange} listens on. */
    static final String CHANNEL = "keymeter_changes";

    private final HikariDataSource pool;
    private final StoreSpec spec;
    private final ThreadLocal<Boolean> inTransaction = ThreadLocal.withInitial(() -> false);
    private volatile boolean closed;
    /** The LISTEN connection; used only by the one thread calling {@link #awaitChange}. */
    private Connection listener;

    private PostgresKeyStore(HikariDataSource pool, StoreSpec spec) {
        this.pool = pool;
        this.spec = spec;
    }

    /**
     * Connects to {@code jdbcUrl} ({@code jdbc:postgresql://HOST:PORT/DB}, credentials in its
     * parameters) and migrates the schema.
     */
    public static PostgresKeyStore open(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: it must start with jdbc:postgresql:");
        }
        return open(new StoreSpec(null, jdbcUrl, null, null));
    }

    /** Connects to the PostgreSQL store {@code spec} names and migrates its schema. */
    public static PostgresKeyStore open(StoreSpec spec) {
        if (!spec.postgres()) {
            throw new IllegalArgumentException("not a PostgreSQL store: " + spec);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(spec.jdbcUrl());
        if (spec.user() != null) {
            config.setUsername(spec.user());
        }
        if (spec.password() != null) {
            config.setPassword(spec.password());
        }
        config.setPoolName("keymeter-store");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        config.setInitializationFailTimeout(CONNECTION_TIMEOUT_MILLIS);
        config.setAutoCommit(true); // Transactions sends BEGIN and COMMIT itself
        config.addDataSourceProperty("logServerErrorDetail", "false");
        config.addDataSourceProperty("ApplicationName", "keymeter");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("connect to the PostgreSQL store " + spec + " failed: " + rootMessage(e), null);
        }
        try {
            Migrations.migratePostgres(pool, "the PostgreSQL store " + spec);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new PostgresKeyStore(pool, spec);
    }

    @Override
    public <T> T write(Function<StoreWriter, T> work) {
        Objects.requireNonNull(work, "work");
        try {
            return inConnection("write transaction", c -> Transactions.write(c, Dialect.POSTGRESQL,
                    "write transaction", () -> {
                        StoreTransaction tx = StoreTransaction.forWrite(c);
                        T result = apply(tx, work);
                        long revision = tx.allocatedRevision();
                        if (revision > 0) { // delivered at commit, to every control plane listening
                            Sql.queryOne(c, "SELECT pg_notify(?, ?)", row -> row.getString(1), CHANNEL,
                                    Long.toString(revision));
                        }
                        return result;
                    }));
        } catch (StoreFullException full) { // SQLSTATE 53100: the server's disk, not this machine's
            throw full.at("the PostgreSQL server of " + spec);
        }
    }

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    public <T> T readJdbc(ConnectionWork<T> work, String operation) {
        return inConnection(operation, c -> Transactions.read(c, Dialect.POSTGRESQL, operation, () -> work.run(c)));
    }

    @Override
    public <T> T writeJdbc(ConnectionWork<T> work, String operation) {
        return inConnection(operation, c -> Transactions.write(c, Dialect.POSTGRESQL, operation, () -> work.run(c)));
    }

    @Override
    public boolean shared() {
        return true;
    }

    /** Waits for a NOTIFY on {@link #CHANNEL} (see the class comment); without a listening connection, sleeps. */
    @Override
    public void awaitChange(long timeoutMillis) throws InterruptedException {
        try {
            if (listener == null || listener.isClosed()) {
                listener = listen();
            }
            PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications((int) timeoutMillis);
            if (received == null && Thread.interrupted()) {
                throw new InterruptedException();
            }
        } catch (SQLException e) {
            closeListener();
            Thread.sleep(timeoutMillis); // the database is out of reach: the caller's poll will tell
        }
    }

    private Connection listen() throws SQLException {
        Connection c = java.sql.DriverManager.getConnection(spec.jdbcUrl(), listenerProperties());
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private java.util.Properties listenerProperties() {
        java.util.Properties p = new java.util.Properties();
        if (spec.user() != null) {
            p.setProperty("user", spec.user());
        }
        if (spec.password() != null) {
            p.setProperty("password", spec.password());
        }
        p.setProperty("logServerErrorDetail", "false");
        p.setProperty("ApplicationName", "keymeter-listen");
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "0");
        return p;
    }

    private void closeListener() {
        Connection c = listener;
        listener = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection: nothing to keep
            }
        }
    }

    @Override
    public <T> T read(Function<StoreReader, T> work) {
        Objects.requireNonNull(work, "work");
        return inConnection("read transaction", c -> Transactions.read(c, Dialect.POSTGRESQL, "read transaction",
                () -> apply(StoreTransaction.forRead(c), work)));
    }

    @Override
    public int compactChangesThrough(long revision) {
        return inConnection("compact the change log", c -> Transactions.write(c, Dialect.POSTGRESQL,
                "compact the change log", () -> StoreTransaction.forWrite(c).compactChangesThrough(revision)));
    }

    @Override
    public void close() {
        closed = true;
        closeListener();
        pool.close();
    }

    private static <T> T apply(StoreTransaction tx, Function<? super StoreTransaction, T> work) {
        try {
            return work.apply(tx);
        } finally {
            tx.end();
        }
    }

    private interface InConnection<T> {
        T run(Connection connection);
    }

    private <T> T inConnection(String operation, InConnection<T> body) {
        if (inTransaction.get()) {
            throw new IllegalStateException("this thread is inside a transaction of this store;"
                    + " do all the work of one call in one read or write callback");
        }
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
        inTransaction.set(true);
        try (Connection connection = pool.getConnection()) {
            return body.run(connection);
        } catch (SQLException e) {
            throw new StoreUnavailableException(operation + ": no database connection", e);
        } finally {
            inTransaction.set(false);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
