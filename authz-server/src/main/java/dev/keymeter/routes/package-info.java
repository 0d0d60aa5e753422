/**
 * Which {@code (resource, access)} pair a request needs: from Envoy's per-route
 * {@code context_extensions}, then the route's metadata, then a configured {@link
 * dev.keymeter.routes.RouteTable} (method + path, longest match wins).
 *
 * <p>Owns: the route table (its default for OpenAI-compatible gateways and the platform API, its JSON
 * form, rules with a {@code {project}} segment and the project a path names) and the precedence between
 * the three sources; {@link dev.keymeter.routes.PathProblems}, the paths no route may be matched
 * against (dot-segments plain or encoded, backslashes, encoded slashes). An unknown resource name or a path that no rule
 * maps resolves to "no route", and Check fails closed on it.
 *
 * <p>Must not import {@code check}, {@code replica} or {@code server}: it knows requests, not keys.
 *
 * <p>Thread-safety: every type here is immutable once built; {@link dev.keymeter.routes.RouteTable#match}
 * and {@link dev.keymeter.routes.RouteResolver#resolve} run on any number of threads, allocate nothing
 * and throw nothing for any input.
 */
package dev.keymeter.routes;
