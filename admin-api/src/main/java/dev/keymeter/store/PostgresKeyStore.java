package dev.keymeter.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

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
 * <p>The schema is migrated by Flyway ({@code db/postgresql/}, the same versions as SQLite's); its
 * lock makes control planes that start together migrate once. The driver is told not to put a
 * failing row's values in its messages ({@code logServerErrorDetail=false}): a duplicate digest
 * would otherwise appear in an exception.
 */
public final class PostgresKeyStore implements KeyStore {

    /** Connections each control plane keeps at most. */
    static final int POOL_SIZE = 10;
    /** How long a call waits for a connection (the database may be down) before it fails. */
    static final long CONNECTION_TIMEOUT_MILLIS = 5_000;

    private final HikariDataSource pool;
    private final ThreadLocal<Boolean> inTransaction = ThreadLocal.withInitial(() -> false);
    private volatile boolean closed;

    private PostgresKeyStore(HikariDataSource pool) {
        this.pool = pool;
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
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
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
            throw new StoreException("connect to the PostgreSQL store failed: " + rootMessage(e), null);
        }
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/postgresql")
                    .failOnMissingLocations(true).load().migrate();
        } catch (FlywayException e) {
            pool.close();
            throw new StoreException("migrate the PostgreSQL store failed: " + rootMessage(e), null);
        }
        return new PostgresKeyStore(pool);
    }

    @Override
    public <T> T write(Function<StoreWriter, T> work) {
        Objects.requireNonNull(work, "work");
        return inConnection("write transaction", c -> Transactions.write(c, Dialect.POSTGRESQL, "write transaction",
                () -> apply(StoreTransaction.forWrite(c), work)));
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
            throw new StoreException(operation + ": no database connection", e);
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
