/**
 * The durable store of the control plane: projects, members, keys with their secret digests, the
 * audit log and the revisioned change log that replication serves.
 *
 * <p>{@link dev.keymeter.store.KeyStore} is the interface; {@link dev.keymeter.store.SqliteKeyStore}
 * the embedded implementation (one SQLite file, WAL, versioned migrations). Every mutation and its
 * audit record commit in one transaction. Implementations are thread-safe; the transaction objects
 * they hand out are confined to the calling thread for the duration of the callback.
 *
 * <p>Must not import gRPC or generated protobuf classes.
 */
package dev.keymeter.store;
