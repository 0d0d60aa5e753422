/**
 * The control plane's rules: what a caller may do to projects, members and keys, and how each
 * change is made, audited and given a revision. Transport-neutral: the gRPC layer in
 * {@code dev.keymeter.admin} translates requests into these calls and {@link
 * dev.keymeter.lifecycle.AdminFailure} into gRPC statuses.
 *
 * <p>Every mutation runs in one store transaction together with its audit record; a refused
 * mutation writes its audit record in a transaction of its own. Classes here are thread-safe and
 * keep no mutable state outside the store, except what sidecars report: the {@code UsageBoard} (their
 * latest figures), its {@code UsageHistory} (each key's last 24 hours) and {@code SidecarRevisions},
 * in memory and bounded, rebuilt from the reports after a restart (the history only from then on).
 *
 * <p>Must not import gRPC, JDBC or generated protobuf classes.
 */
package dev.keymeter.lifecycle;
