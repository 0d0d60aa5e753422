package dev.keymeter.console;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import dev.keymeter.http.CallerToken;
import dev.keymeter.http.HttpMount;
import dev.keymeter.keys.Resource;
import dev.keymeter.lifecycle.Authenticator;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything under {@code /console/}: the pages, their scripts and styles, sign-in, sign-out, the
 * session's description for the scripts ({@code session.json}: who is signed in and the CSRF token)
 * and the resource catalog the permission matrix is drawn from ({@code catalog.json}).
 */
public final class ConsoleMount implements HttpMount {

    public static final String PREFIX = "/console/";

    private final ConsoleSettings settings;
    private final Sessions sessions;
    private final SessionGate gate;
    private final StaticAssets assets = new StaticAssets();
    private final Pages pages = new Pages(assets);
    private final SignIn signIn;

    /**
     * @param refusedSignIns told of every sign-in refused for its key (audited with the control
     *     plane's other refused calls, as a summary per interval)
     */
    public ConsoleMount(Authenticator authenticator, Sessions sessions, ConsoleSettings settings,
            SignInRefusals refusedSignIns) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.gate = new SessionGate(sessions);
        this.signIn = new SignIn(authenticator, sessions, pages, refusedSignIns);
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    /** The gate the JSON API asks first: a request with the session cookie acts as its session's key. */
    public SessionGate gate() {
        return gate;
    }

    /** The JSON API's first source of a caller's key: the session of the cookie ({@link SessionCallerToken}). */
    public CallerToken callerToken() {
        return new SessionCallerToken(gate, this);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String name = path.length() <= PREFIX.length() ? "" : path.substring(PREFIX.length());
            String method = exchange.getRequestMethod();
            switch (name) {
                case "", "index.html" -> get(exchange, method, this::console);
                case "sign-in" -> {
                    if ("POST".equals(method)) {
                        signIn.handle(exchange);
                    } else {
                        get(exchange, method, e -> pages.signIn(e, 200, ""));
                    }
                }
                case "sign-out" -> post(exchange, method, this::signOut);
                case "session.json" -> get(exchange, method, this::session);
                case "catalog.json" -> get(exchange, method, ConsoleMount::catalog);
                default -> get(exchange, method, e -> asset(e, name));
            }
        }
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private static void get(HttpExchange exchange, String method, Handler handler) throws IOException {
        if (SessionGate.safeMethod(method)) {
            handler.handle(exchange);
        } else {
            Replies.methodNotAllowed(exchange, "GET, HEAD");
        }
    }

    private static void post(HttpExchange exchange, String method, Handler handler) throws IOException {
        if ("POST".equals(method)) {
            handler.handle(exchange);
        } else {
            Replies.methodNotAllowed(exchange, "POST");
        }
    }

    private void console(HttpExchange exchange) throws IOException {
        if (gate.admit(exchange) instanceof SessionGate.Admission.Admitted) {
            pages.console(exchange);
        } else {
            Replies.redirect(exchange, 302, PREFIX + "sign-in");
        }
    }

    private void signOut(HttpExchange exchange) throws IOException {
        SessionGate.Admission admission = gate.admit(exchange);
        if (admission instanceof SessionGate.Admission.Refused refused) {
            Replies.error(exchange, refused.httpStatus(), refused.grpcStatus(), refused.message());
            return;
        }
        if (admission instanceof SessionGate.Admission.Admitted admitted) {
            sessions.close(admitted.session().id());
        }
        exchange.getResponseHeaders().add("Set-Cookie", SessionCookie.clear(Replies.tls(exchange)));
        Replies.noContent(exchange);
    }

    private void session(HttpExchange exchange) throws IOException {
        if (!(gate.admit(exchange) instanceof SessionGate.Admission.Admitted admitted)) {
            Replies.error(exchange, 401, "UNAUTHENTICATED", "not signed in to the console");
            return;
        }
        Session session = admitted.session();
        JsonObject body = new JsonObject();
        body.addProperty("keyId", session.keyId());
        body.addProperty("kind", session.kind());
        body.addProperty("projectId", session.projectId());
        body.addProperty("csrfToken", session.csrfToken());
        body.addProperty("user", trustedUser(exchange).orElse(""));
        body.addProperty("idleSeconds", sessions.limits().idle().toSeconds());
        Replies.json(exchange, 200, body);
    }

    /** The person the authenticating proxy named, when the console trusts its header. */
    Optional<String> trustedUser(HttpExchange exchange) {
        if (!settings.trustsUserHeader()) {
            return Optional.empty();
        }
        String value = exchange.getRequestHeaders().getFirst(settings.trustedUserHeader());
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    private static void catalog(HttpExchange exchange) throws IOException {
        JsonArray resources = new JsonArray();
        for (Resource resource : Resource.values()) {
            JsonObject entry = new JsonObject();
            entry.addProperty("name", resource.wireName());
            entry.addProperty("group", resource.group().name().toLowerCase(Locale.ROOT));
            resources.add(entry);
        }
        JsonObject body = new JsonObject();
        body.add("resources", resources);
        Replies.json(exchange, 200, body);
    }

    private void asset(HttpExchange exchange, String name) throws IOException {
        if (name.endsWith(".html")) { // the pages go through their routes (sign-in checks, the session check)
            Replies.error(exchange, 404, "NOT_FOUND", "no console page " + PREFIX + name);
            return;
        }
        Optional<StaticAssets.Asset> asset = assets.find(name);
        if (asset.isEmpty()) {
            Replies.error(exchange, 404, "NOT_FOUND", "no console file " + PREFIX + name);
            return;
        }
        Replies.send(exchange, 200, asset.get().contentType(), asset.get().body(), true);
    }
}
