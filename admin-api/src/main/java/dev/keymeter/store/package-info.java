/**
 * The durable store of the control plane: projects, members, keys with their secret digests, the
 * audit log and the revisioned change log that replication serves.
 *
 * <p>{@link dev.keymeter.store.KeyStore} is the interface; {@link dev.keymeter.store.SqliteKeyStore}
 * the embedded implementation (one SQLite file, WAL, {@code synchronous=FULL}, versioned migrations
 * from {@code db/V*.sql}). Every mutation and its audit record commit in one transaction. A write
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
