/**
 * Metrics: the Prometheus endpoint and the meters behind it (design §1, issue 5).
 *
 * <p>Owns: {@link dev.keymeter.metrics.MetricsServer} ({@code /metrics}, {@code /healthz},
 * {@code /readyz} on the JDK's HTTP server), {@link dev.keymeter.metrics.CheckMetrics} (the
 * {@link dev.keymeter.check.DecisionListener} that counts every Check outcome, the latency histogram
 * and allowed requests per key), {@link dev.keymeter.metrics.ReplicationMetrics} (replica fill and
 * replication state, read at scrape time), {@link dev.keymeter.metrics.UsageMetrics} (per-key tokens,
 * cost and remaining budgets, usage ingestion and reservations; 429s per key and limit are in
 * {@code CheckMetrics}) and {@link dev.keymeter.metrics.JvmMetrics}.
 *
 * <p>Label values come only from bounded sets (design §6: never a label from raw client input):
 * enums ({@link dev.keymeter.check.DenialReason} labels, the four decisions) and key ids of keys found
 * in the replica, under a cap ({@code KeySeries}: 10,000 by default, the rest fold into
 * {@code key_id="_other"}). Tokens, paths, headers and anything else the client sends never become a
 * label; {@code MetricsServerTest} drives 100,000 distinct invalid tokens through the real decision
 * and finds no new series.
 *
 * <p>Meters are resolved once at construction; the hot path ({@link
 * dev.keymeter.check.DecisionListener} calls) reads a field or an {@link java.util.EnumMap} slot and
 * increments, with no lookup by name, no lock and no allocation. Allowed requests per key, the one
 * count that needs a lookup by key id, are logged by the deciding thread ({@link
 * dev.keymeter.threadlog.ThreadLogs}) and counted by {@code CheckMetrics#flush}, every 50 ms and
 * before every scrape (the first counted request of a key registers its series once).
 *
 * <p>Must not import {@code server} or {@code sidecar} (they wire this package in), nor anything of
 * {@code check} beyond the listener contract, nor {@code usage} beyond its listener contracts and the
 * budgets it reads at scrape time. May import {@code threadlog}.
 *
 * <p>Thread-safety: every class here is safe for any number of threads; the listener runs on the
 * gRPC threads that decide, scrapes on the metrics server's own small pool.
 */
package dev.keymeter.metrics;
