/**
 * The sidecar process part: the replica, the replication client that feeds it, the ext_authz server
 * with health and reflection, and the background reporter of last-used times. Assembles the
 * {@code check}, {@code replica} and {@code routes} packages; nothing there imports this package.
 *
 * <p>Thread-safety: {@link dev.keymeter.sidecar.Sidecar} is started and closed by one thread; its
 * parts are thread-safe as their own packages document.
 */
package dev.keymeter.sidecar;
