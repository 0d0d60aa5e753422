/**
 * Usage after the response: what each request really consumed (tokens, cost), charged to the key
 * Check identified.
 *
 * <p>Usage arrives two ways, both turned into a {@link dev.keymeter.usage.UsageRecord} and handed to
 * the one {@link dev.keymeter.usage.UsageSink}, which de-duplicates across both by request id
 * ({@code x-request-id}):
 * <ul>
 *   <li>{@link dev.keymeter.usage.AccessLogService}: Envoy's gRPC access log. Each entry carries the
 *       request's dynamic metadata, where Check left {@code key_id} (and {@code reservation_id},
 *       {@code model}) under {@code envoy.filters.http.ext_authz}; usage comes from response trailers or
 *       headers, or from Envoy AI Gateway's metadata ({@link dev.keymeter.usage.UsageSettings}). The
 *       stream is lossy and has no acknowledgements (design §4).</li>
 *   <li>{@link dev.keymeter.usage.UsageReportService}: {@code keymeter.usage.v1.UsageService/Report},
 *       for gateways that count usage themselves. Idempotent by request id.</li>
 * </ul>
 *
 * <p>Behind the sink sits the ledger: the per-key usage counters, the reservations Check makes before
 * a request goes upstream (settled here with the actual usage, or charged as reserved when they expire
 * unsettled) and the price table that turns tokens into cost when no cost is reported. The rule
 * throughout: a missing or unreadable usage report must never under-count.
 *
 * <p>When a fleet of sidecars shares the keys' limits ({@code --budgets-store} Redis),
 * {@link dev.keymeter.usage.Budgets} admits through {@link dev.keymeter.usage.FleetAdmission}: the
 * same counters, with the limits this sidecar holds for now (its requests allowance, its token and
 * cost allotments); usage settled here is reported to the fleet at the next sync.
 *
 * <p>{@link dev.keymeter.usage.IngestionListener} hears every outcome for metrics. Nothing here logs a
 * token or a header value; warnings name the key id and the field only, rate-limited.
 */
package dev.keymeter.usage;
