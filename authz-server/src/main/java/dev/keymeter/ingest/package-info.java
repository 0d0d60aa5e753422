/**
 * Who may put usage in: the credential every caller of the usage ports
 * ({@code keymeter.usage.v1.UsageService/Report}, {@code envoy.service.accesslog.v3.AccessLogService})
 * must present, since either can charge any key's budget (key ids are not secret: they travel upstream
 * in {@code x-keymeter-key-id}, into logs and metric labels). Check on the same port stays open: it
 * only reads, and its callers are admitted by network placement (design §9).
 *
 * <p>Owns: {@link dev.keymeter.ingest.IngestTokens} (the accepted SHA-256 digests, read from
 * {@code --ingest-token-file}), {@link dev.keymeter.ingest.IngestTokenFile} (the file {@code serve}
 * and {@code sidecar} create when none is configured), {@link dev.keymeter.ingest.IngestCredential}
 * (the decision: a verified client certificate or a known ingest token) and
 * {@link dev.keymeter.ingest.IngestAuthInterceptor} (the gRPC gate in front of the two services).
 *
 * <p>Rules: a token is digested at once and compared with {@link java.security.MessageDigest#isEqual};
 * no token, digest or line of the token file ever reaches a log line, a metric label or a gRPC
 * status. A refusal is UNAUTHENTICATED before the service runs, so nothing is charged; it is counted
 * by {@link dev.keymeter.usage.IngestionListener#unauthenticated}. May import {@code usage} (the
 * listener and the source) and {@code keys} (the token format); nothing imports this package but the
 * sidecar and the process commands. Immutable values and a stateless interceptor: thread-safe.
 */
package dev.keymeter.ingest;
