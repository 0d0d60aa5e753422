package dev.keymeter.http;

import com.sun.net.httpserver.HttpExchange;
import java.util.List;
import java.util.Optional;

/**
 * Where a request's admin key comes from. The API's own source is the {@code Authorization: Bearer}
 * header ({@link #authorizationHeader()}); the console adds its session cookie, asked first
 * ({@link #firstOf}). Whatever is found is only passed on: the gRPC server decides whether it is valid.
 */
public interface CallerToken {

    /**
     * The bearer token this request carries, or empty when it carries none of this kind.
     *
     * @throws HttpRefusal when the request carries one but must be refused before any call (e.g. a
     *     cross-site request with a session cookie)
     */
    Optional<String> bearerToken(HttpExchange exchange) throws HttpRefusal;

    /**
     * The signed-in person named by a trusted header of an authenticating proxy, when this source
     * trusts one; empty by default. {@code GET /v1/whoami} shows it as {@code user}.
     */
    default Optional<String> trustedUser(HttpExchange exchange) {
        return Optional.empty();
    }

    /** {@code Authorization: Bearer <admin key>}. */
    static CallerToken authorizationHeader() {
        return new AuthorizationHeader();
    }

    /** Asks each source in order; the first that finds a token (or refuses) decides. */
    static CallerToken firstOf(List<CallerToken> sources) {
        List<CallerToken> copy = List.copyOf(sources);
        return new CallerToken() {
            @Override
            public Optional<String> bearerToken(HttpExchange exchange) {
                for (CallerToken source : copy) {
                    Optional<String> token = source.bearerToken(exchange);
                    if (token.isPresent()) {
                        return token;
                    }
                }
                return Optional.empty();
            }

            @Override
            public Optional<String> trustedUser(HttpExchange exchange) {
                for (CallerToken source : copy) {
                    Optional<String> user = source.trustedUser(exchange);
                    if (user.isPresent()) {
                        return user;
                    }
                }
                return Optional.empty();
            }
        };
    }
}
