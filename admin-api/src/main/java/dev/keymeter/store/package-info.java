/**
 * The durable store of the control plane: projects, members, keys with their secret digests, the
 * audit log and the revisioned change log that replication serves.
 *
 * <p>{@link dev.keymeter.store.KeyStore} is the interface, with two implementations over the same
 * SQL ({@link dev.keymeter.store.StoreTransaction}, the subset both databases share):
 * {@link dev.keymeter.store.SqliteKeyStore}, embedded (one SQLite file, WAL, {@code synchronous=FULL},
 * Flyway migrations from {@code db/sqlite/}), and {@link dev.keymeter.store.PostgresKeyStore},
 * shared by several control planes (a HikariCP pool, Flyway migrations from {@code db/postgresql/},
 * key writes committed in revision order by the revision row's lock). {@link dev.keymeter.store.Dialect}
 * holds what differs. The store tests run against both ({@code StoreKind}).
 * {@link dev.keymeter.store.StoreSpec} parses {@code --store}; {@link dev.keymeter.store.StoreCopy}
 * copies one store into another, empty one. Every mutation and its audit record commit in one transaction. A write
 * that would duplicate a unique thing (key name in its project, key id, secret digest, project id)
 * fails with {@link dev.keymeter.store.DuplicateException}; a database failure with
 * {@link dev.keymeter.store.StoreException}. Times are stored as epoch milliseconds: callers pass
 * millisecond instants so that values round-trip exactly.
 *
 * <p>Implementations are thread-safe; the transaction objects they hand out are confined to the
 * calling thread for the duration of the callback, and a callback must not start another
 * transaction of the same store.
 *
 * <p>Must not import gRPC or generated protobuf classes.
 */
package dev.keymeter.store;
