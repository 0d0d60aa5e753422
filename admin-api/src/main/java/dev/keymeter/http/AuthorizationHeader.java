package dev.keymeter.http;

import com.sun.net.httpserver.HttpExchange;
import io.grpc.Status;
import java.util.Optional;

/**
 * {@code Authorization: Bearer <admin key>}, the JSON API's own way to name the caller. A header in
 * another scheme is refused here with the message the gRPC server gives for the same mistake; a
 * missing header is left to the server (it answers UNAUTHENTICATED, and audits the refusal).
 */
final class AuthorizationHeader implements CallerToken {

    private static final String BEARER = "Bearer ";

    @Override
    public Optional<String> bearerToken(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw HttpRefusal.of(Status.Code.UNAUTHENTICATED, "authorization: expected 'Bearer <admin key>'");
        }
        String token = header.substring(BEARER.length()).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
