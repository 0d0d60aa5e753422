/**
 * Fleet budgets: the sidecars of a fleet share each key's limits through Redis
 * ({@code --budgets-store redis://…} or {@code redis-cluster://…}; design §7).
 *
 * <ul>
 *   <li>{@link dev.keymeter.fleet.BudgetsStore} — the {@code --budgets-store} value, parsed and
 *       validated (errors name the setting; the password never appears in messages).</li>
 *   <li>{@link dev.keymeter.fleet.RedisFleetStore} — {@link dev.keymeter.quota.FleetStore} on Redis:
 *       one Lettuce client (async API), two Lua scripts of one key each (resources next to this
 *       package), so standalone and Cluster run the same commands.</li>
 * </ul>
 *
 * <p>The algorithm — allowances, shares, the fallback while Redis is out of reach — lives in
 * {@code dev.keymeter.quota} ({@code FleetSync}, {@code FleetRate}), which knows nothing of Redis.
 * The Check thread never calls anything here: {@code FleetSync}'s loop does, and every call returns
 * at once with a stage. Thread-safe.
 *
 * <p>Must not import gRPC, Envoy or the Check hot path ({@code dev.keymeter.check}).
 */
package dev.keymeter.fleet;
