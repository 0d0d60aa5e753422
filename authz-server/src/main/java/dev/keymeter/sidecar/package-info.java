/**
 * The sidecar process part: the replica, the replication client that feeds it, the persisted
 * counters and the usage ledger, the ext_authz server (with the access-log and usage-report services,
 * health and reflection), and the background reporters of last-used times and usage figures
 * ({@code UsageReporter}); reservations expire on the same scheduler thread every second; the warm-up
 * ({@code WarmUp}) that exercises Check, unseen, before health says SERVING. {@code SidecarStart}
 * assembles them one named step at a time and closes what it opened when a step fails. Assembles
 * the {@code check}, {@code replica}, {@code routes}, {@code usage} and {@code metrics} packages;
 * nothing there imports this package.
 *
 * <p>Thread-safety: {@link dev.keymeter.sidecar.Sidecar} is started and closed by one thread; its
 * parts are thread-safe as their own packages document.
 */
package dev.keymeter.sidecar;
