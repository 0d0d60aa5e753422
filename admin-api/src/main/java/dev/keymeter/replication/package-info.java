/**
 * The control plane's side of replication: {@code keymeter.replication.v1.ReplicationService/Watch}.
 * A sidecar names the revision it has applied; {@link dev.keymeter.replication.WatchService} answers
 * with a snapshot when the change log cannot bring it up to date, then every change in revision
 * order, then heartbeats while nothing changes.
 *
 * <p>How the pieces fit: {@link dev.keymeter.replication.RevisionNotifier} hears every commit (the
 * lifecycle's {@code AuditedStore} calls it) and rings the Watch streams, which otherwise sleep; each
 * stream runs on a thread of its own ({@code WatchStream}), reads the store in short transactions
 * and blocks while gRPC flow control says the sidecar is not ready, so a slow sidecar costs one
 * parked thread and a bounded buffer, never the admin API's threads or memory. Snapshots are read in
 * pages inside one detached read transaction ({@code KeyStore.readDetached}), consistent and
 * holding up no admin call. {@code ChangeLogCompaction} keeps the change log bounded.
 *
 * <p>Authentication happens before these classes see a call ({@code dev.keymeter.admin}'s
 * interceptor: the sidecar role, i.e. a sidecar credential or, deprecated, an admin key with preset
 * All). Sidecar reports are validated here ({@code SidecarReports}) before anything is recorded; sidecar
 * credentials themselves are never replicated ({@code KeyRecords.replicated}). Thread-safe. Must not import {@code dev.keymeter.admin}
 * or {@code dev.keymeter.cli}; it reads the store through {@code dev.keymeter.store} only and never
 * writes keys. Never sends or logs a token: records carry SHA-256 digests only.
 */
package dev.keymeter.replication;
