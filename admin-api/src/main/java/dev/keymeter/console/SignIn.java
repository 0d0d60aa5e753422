package dev.keymeter.console;

import com.sun.net.httpserver.HttpExchange;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.lifecycle.Authenticator;
import dev.keymeter.lifecycle.Caller;
import dev.keymeter.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code POST /console/sign-in}: a form with one field, {@code key}. The key is checked by the control
 * plane's own {@link Authenticator} (the rule every admin call passes), admitted when it is an admin
 * or a project key (a sidecar credential never reaches the admin API, so it cannot sign in), and kept
 * only in the new server-side session. A refused key gets the same words whatever was wrong with it,
 * and is never echoed.
 */
final class SignIn {

    static final String NOT_ACCEPTED = "That key was not accepted.";
    static final String STORE_DOWN = "The key store did not answer; try again in a moment.";
    private static final int MAX_FORM_BYTES = 4096;

    private final Authenticator authenticator;
    private final SignInRefusals refusals;
    private final Sessions sessions;
    private final Pages pages;

    SignIn(Authenticator authenticator, Sessions sessions, Pages pages, SignInRefusals refusals) {
        this.refusals = Objects.requireNonNull(refusals, "refusals");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.pages = Objects.requireNonNull(pages, "pages");
    }

    void handle(HttpExchange exchange) throws IOException {
        if (!SessionGate.sameOrigin(exchange)) {
            Replies.error(exchange, 403, "PERMISSION_DENIED", SessionGate.CROSS_SITE);
            return;
        }
        Optional<String> key = readKey(exchange.getRequestBody());
        if (key.isEmpty()) {
            pages.signIn(exchange, 400, NOT_ACCEPTED);
            return;
        }
        Caller caller;
        try {
            caller = authenticator.authenticate(key.get());
        } catch (AdminFailure refused) {
            refusals.refused(refused.reason(), exchange.getRemoteAddress());
            pages.signIn(exchange, 401, NOT_ACCEPTED);
            return;
        } catch (StoreException unavailable) {
            pages.signIn(exchange, 503, STORE_DOWN);
            return;
        }
        if (caller.kind() == KeyKind.SIDECAR) {
            refusals.refused(AdminFailure.Reason.PERMISSION_DENIED, exchange.getRemoteAddress());
            pages.signIn(exchange, 401, NOT_ACCEPTED);
            return;
        }
        SessionCookie.read(exchange.getRequestHeaders()).ifPresent(sessions::close);
        Session session = sessions.open(key.get(), caller.keyId(), "KEY_KIND_" + caller.kind().name(),
                caller.projectId() == null ? "" : caller.projectId());
        exchange.getResponseHeaders().add("Set-Cookie", SessionCookie.issue(session.id(), Replies.tls(exchange)));
        Replies.redirect(exchange, 303, ConsoleMount.PREFIX);
    }

    /** The form's {@code key} field, trimmed; empty when missing, blank or the form is too large. */
    static Optional<String> readKey(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_FORM_BYTES + 1);
        if (bytes.length > MAX_FORM_BYTES) {
            return Optional.empty();
        }
        for (String pair : new String(bytes, StandardCharsets.US_ASCII).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && "key".equals(pair.substring(0, eq))) {
                try {
                    String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).strip();
                    return value.isEmpty() ? Optional.empty() : Optional.of(value);
                } catch (IllegalArgumentException malformed) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
