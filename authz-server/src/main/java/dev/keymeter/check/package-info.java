/**
 * The hot path: Envoy's {@code envoy.service.auth.v3.Authorization/Check}. Who is calling (the API key
 * in {@code authorization: Bearer} or {@code x-api-key}, looked up by SHA-256 digest in the {@link
 * dev.keymeter.replica.KeyReplica}), may they do this (the route's {@code (resource, access)}
 * against the key's permissions), and is there budget left (for keys with limits: the counters of
 * {@link dev.keymeter.usage.Budgets}, a 429 per limit from {@code QuotaResponses}, a reservation for
 * the body's estimate from {@code RequestEstimate}).
 *
 * <p>Owns: {@link dev.keymeter.check.Authorizer} (the decision, a pure function of the request, the
 * replica and the clock), {@link dev.keymeter.check.CheckService} (the thin gRPC adapter, which sends
 * a {@link dev.keymeter.check.CheckReply} as its kept bytes when it has them), the precomputed denial
 * responses, {@link dev.keymeter.check.DecisionListener} (where metrics and logs
 * hook in) and {@link dev.keymeter.check.LastUsedTracker} (uses logged per thread, {@link
 * dev.keymeter.threadlog.ThreadLogs}, and merged in the background).
 *
 * <p>Rules: a denial is a {@code CheckResponse} with an explicit HTTP status and JSON body, never a gRPC
 * error and never an exception; a gRPC error only when no decision is possible (the replica has not
 * loaded, or failed; {@code CheckFailureLog} writes why, at most once per 10 s). Estimates saturate
 * at {@link dev.keymeter.keys.LimitBound}: no request body makes the arithmetic overflow. Nothing here
 * blocks, locks or logs per request; the token never leaves the
 * per-thread buffer it is copied into (listeners get the key id and a {@link
 * dev.keymeter.check.DenialReason}).
 *
 * <p>Cost (one thread, measured with the real Chronicle replica on a shared 2-core machine): an
 * allowed decision ~1 µs median, ~0.4 KB allocated (most of it the replica's copy of the entry);
 * a malformed token ~0.2 µs. What makes that: denial responses built once per settings snapshot
 * ({@code DenialResponses}); a hot key's allowed response built once and shared by every thread, and
 * its last use noted at most once per resolution ({@code HotKey}, kept in the replica cache's memo);
 * those shared responses encoded once, so the transport copies their bytes ({@code CheckReply}),
 * including a key's variants naming the model it calls;
 * the token parsed, checked and digested in place from the header value ({@code TokenBytes}, a
 * per-thread {@code MessageDigest}); routes matched with no regex and no substring
 * ({@link dev.keymeter.routes.RouteTable}).
 *
 * <p>Must not import {@code server}, {@code replication} or any metrics library. May import
 * {@code threadlog}, and {@code usage} for the budgets (which never imports this package).
 *
 * <p>Thread-safety: {@link dev.keymeter.check.Authorizer#check} runs on any number of gRPC threads at
 * once. Per-request scratch state (header scan, token bytes, {@code MessageDigest}, {@link
 * dev.keymeter.replica.ReplicaEntry}) is thread-confined; settings are an immutable snapshot read once
 * per request.
 */
package dev.keymeter.check;
