/**
 * The control plane's HTTP listener ({@code --console-addr}): {@link dev.keymeter.http.HttpFront}
 * owns the JDK server and hands each request to the {@link dev.keymeter.http.HttpMount} whose prefix
 * it starts with; the JSON admin API under {@code /v1/} ({@link dev.keymeter.http.JsonApi}) and the
 * OpenAPI document are two such mounts.
 *
 * <p>The JSON API holds no rule: each route transcodes to the gRPC {@code AdminService} over an
 * in-process channel, whose server runs the same interceptors (authentication, unreadable requests)
 * as the network one. So authorization, validation messages and audit rows are those of gRPC. This
 * package must not import {@code dev.keymeter.admin} (which assembles it), the store (but for
 * {@code StoreException}), the CLI or replication; from {@code dev.keymeter.lifecycle} it uses only the
 * {@code Authenticator} (for whoami). Thread-safe: handlers keep no state between exchanges.
 */
package dev.keymeter.http;
