package dev.keymeter.console;

import com.sun.net.httpserver.HttpExchange;
import dev.keymeter.http.CallerToken;
import dev.keymeter.http.HttpRefusal;
import java.util.Objects;
import java.util.Optional;

/**
 * The console's source of a caller's key for the JSON API, asked before the {@code Authorization}
 * header: a request without that header but with the session cookie acts as the session's admin key,
 * once the {@link SessionGate} has admitted it (CSRF token and origin on every change). A request with
 * an {@code Authorization} header is left to it: a script with a key does not need a session.
 */
final class SessionCallerToken implements CallerToken {

    private final SessionGate gate;
    private final ConsoleMount mount;

    SessionCallerToken(SessionGate gate, ConsoleMount mount) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.mount = Objects.requireNonNull(mount, "mount");
    }

    @Override
    public Optional<String> bearerToken(HttpExchange exchange) {
        if (exchange.getRequestHeaders().containsKey("Authorization")) {
            return Optional.empty();
        }
        SessionGate.Admission admission = gate.admit(exchange);
        if (admission instanceof SessionGate.Admission.Refused refused) {
            throw new HttpRefusal(refused.httpStatus(), refused.grpcStatus(), refused.message());
        }
        if (admission instanceof SessionGate.Admission.Admitted admitted) {
            return Optional.of(admitted.session().adminKey());
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> trustedUser(HttpExchange exchange) {
        return mount.trustedUser(exchange);
    }
}
