package dev.keymeter.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a request may act through its session cookie. GET and HEAD only need a live
 * session. Every other method also needs {@code X-CSRF-Token} equal to the session's token (a page
 * of another site can make the browser send the cookie only with SameSite=Strict broken, and cannot
 * read the token at all) and a request from this listener's own origin ({@link #sameOrigin}).
 */
public final class SessionGate {

    /** What a request is allowed: nothing to do with sessions, a session, or a refusal. */
    public sealed interface Admission {
        /** No session cookie: the request is not the console's (an API client with a bearer key, or nobody). */
        record NoSession() implements Admission { }

        record Admitted(Session session) implements Admission { }

        /** Refused with this HTTP status, gRPC status name and message (never a secret). */
        record Refused(int httpStatus, String grpcStatus, String message) implements Admission { }
    }

    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String CROSS_SITE = "cross-site request refused";

    private final Sessions sessions;

    public SessionGate(Sessions sessions) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    public Admission admit(HttpExchange exchange) {
        Optional<String> id = SessionCookie.read(exchange.getRequestHeaders());
        if (id.isEmpty()) {
            return new Admission.NoSession();
        }
        if (!safeMethod(exchange.getRequestMethod()) && !sameOrigin(exchange)) {
            return new Admission.Refused(403, "PERMISSION_DENIED", CROSS_SITE);
        }
        Optional<Session> session = sessions.use(id.get());
        if (session.isEmpty()) {
            return new Admission.Refused(401, "UNAUTHENTICATED", "the console session has expired: sign in again");
        }
        if (!safeMethod(exchange.getRequestMethod())
                && !tokenMatches(exchange.getRequestHeaders().getFirst(CSRF_HEADER), session.get().csrfToken())) {
            return new Admission.Refused(403, "PERMISSION_DENIED", CROSS_SITE);
        }
        return new Admission.Admitted(session.get());
    }

    static boolean safeMethod(String method) {
        return "GET".equals(method) || "HEAD".equals(method);
    }

    /**
     * Whether a change comes from a page of this listener. {@code Sec-Fetch-Site}, when the browser
     * sends it, must be {@code same-origin}. {@code Origin}, when present, must be our own origin —
     * except {@code null}: with {@code Referrer-Policy: no-referrer} (which the console sends) a browser
     * writes {@code Origin: null} on its own same-origin POSTs, so {@code null} passes only together with
     * {@code Sec-Fetch-Site: same-origin}. Without either header (older browsers, scripts) it passes:
     * the CSRF token still has to match.
     */
    static boolean sameOrigin(HttpExchange exchange) {
        String site = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
        if (site != null && !"same-origin".equals(site)) {
            return false;
        }
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin == null) {
            return true;
        }
        if ("null".equals(origin)) {
            return "same-origin".equals(site);
        }
        return origin.equalsIgnoreCase(ownOrigin(exchange));
    }

    /** The origin a page served by this listener has: the scheme it speaks and the Host the browser used. */
    static String ownOrigin(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        String scheme = exchange instanceof HttpsExchange ? "https" : "http";
        return host == null ? "" : scheme + "://" + host;
    }

    private static boolean tokenMatches(String sent, String expected) {
        if (sent == null) {
            return false;
        }
        return MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
