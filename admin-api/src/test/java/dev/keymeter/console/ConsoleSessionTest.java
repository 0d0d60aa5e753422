package dev.keymeter.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.MutableClock;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import dev.keymeter.audit.AuditAction;
import dev.keymeter.lifecycle.AdminFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sign-in, the session cookie, sign-out, expiry, the security headers and the session gate's CSRF
 * and Origin rules, over real HTTP against a real control plane.
 */
class ConsoleSessionTest {

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.now());
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private ConsoleFixture console;

    @BeforeEach
    void start() throws IOException {
        console = new ConsoleFixture(dir, clock, ConsoleSettings.DEFAULTS.withTrustedUserHeader("X-Forwarded-Email"));
    }

    @AfterEach
    void stop() {
        console.close();
    }

    private HttpResponse<String> signIn(String key, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(console.uri("/console/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The session id from a successful sign-in's Set-Cookie. */
    private String sessionCookie() throws Exception {
        HttpResponse<String> response = signIn(console.adminKey());
        assertEquals(303, response.statusCode(), response.body());
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private HttpResponse<String> send(String method, String path, String cookie, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(console.uri(path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (!cookie.isEmpty()) {
            request.header("Cookie", cookie);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String csrfToken(String cookie) throws Exception {
        String body = send("GET", "/console/session.json", cookie).body();
        return com.google.gson.JsonParser.parseString(body).getAsJsonObject().get("csrfToken").getAsString();
    }

    @Test
    void signIn_withTheAdminKey_setsAnHttpOnlyStrictSessionCookieAndGoesToTheConsole() throws Exception {
        HttpResponse<String> response = signIn(console.adminKey());
        assertEquals(303, response.statusCode());
        assertEquals("/console/", response.headers().firstValue("Location").orElseThrow());
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.matches("keymeter_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict"), setCookie);
        assertFalse(setCookie.contains(console.adminKey()));
    }

    @Test
    void signIn_withAWrongKey_is401WithoutEchoingIt() throws Exception {
        String wrong = "kma_notARealKeyButLooksLikeOne123456abcdef";
        HttpResponse<String> response = signIn(wrong);
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("That key was not accepted."), response.body());
        assertFalse(response.body().contains(wrong));
        assertTrue(response.headers().firstValue("Set-Cookie").isEmpty());
    }

    @Test
    void signIn_refused_isCountedAndAuditedWithTheOtherRefusedCalls() throws Exception {
        long before = console.controlPlane.callsRefused(AdminFailure.Reason.UNAUTHENTICATED);
        String wrong = "kma_notARealKeyButLooksLikeOne123456abcdef";
        assertEquals(401, signIn(wrong).statusCode());
        assertEquals(before + 1, console.controlPlane.callsRefused(AdminFailure.Reason.UNAUTHENTICATED));
        var rows = console.controlPlane.store().read(r -> r.listAudit(dev.keymeter.store.AuditFilter.ALL, 10, "")).items();
        var summary = rows.stream().filter(r -> r.action().equals(AuditAction.REFUSED_CALLS.recordedName())).findFirst();
        assertTrue(summary.isPresent(), () -> "no refused-calls summary in " + rows);
        assertFalse(summary.get().toString().contains(wrong), "the key is never audited");
    }

    @Test
    void signIn_fromAnotherOrigin_isRefused() throws Exception {
        HttpResponse<String> response = signIn(console.adminKey(), "Origin", "https://evil.example");
        assertEquals(403, response.statusCode());
        assertTrue(response.body().contains("cross-site request refused"), response.body());
        assertTrue(response.headers().firstValue("Set-Cookie").isEmpty());
    }

    @Test
    void consolePage_withoutASession_redirectsToSignIn() throws Exception {
        HttpResponse<String> response = send("GET", "/console/", "keymeter_session=forged");
        assertEquals(302, response.statusCode());
        assertEquals("/console/sign-in", response.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void consolePage_signedIn_carriesTheCspAndTheOtherSecurityHeaders() throws Exception {
        HttpResponse<String> response = send("GET", "/console/", sessionCookie());
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("<script type=\"module\" src=\"/console/app.js\"></script>"));
        assertEquals(SecurityHeaders.CSP, response.headers().firstValue("Content-Security-Policy").orElseThrow());
        assertTrue(SecurityHeaders.CSP.contains("script-src 'self'") && SecurityHeaders.CSP.contains("frame-ancestors 'none'"));
        assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElseThrow());
        assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("no-referrer", response.headers().firstValue("Referrer-Policy").orElseThrow());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void pages_haveNoInlineScriptStyleOrHandler() throws Exception {
        for (String page : List.of("/console/", "/console/sign-in")) {
            String body = send("GET", page, sessionCookie()).body();
            assertFalse(body.matches("(?s).*<script(?![^>]*src=)[^>]*>.*"), page + " has an inline script");
            assertFalse(body.matches("(?s).*\\son[a-z]+=.*"), page + " has an inline event handler");
            assertFalse(body.contains("style="), page + " has an inline style");
        }
    }

    @Test
    void sessionJson_namesTheKeyAndTheTrustedUserButNotTheKey() throws Exception {
        String cookie = sessionCookie();
        HttpResponse<String> response = send("GET", "/console/session.json", cookie, "X-Forwarded-Email", "ana@example.com");
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"user\":\"ana@example.com\""), response.body());
        assertTrue(response.body().contains("\"kind\":\"KEY_KIND_ADMIN\""), response.body());
        assertFalse(response.body().contains(console.adminKey()));
    }

    @Test
    void session_afterThirtyIdleMinutes_isOverAndThePageAsksToSignInAgain() throws Exception {
        String cookie = sessionCookie();
        clock.advance(Duration.ofMinutes(29));
        assertEquals(200, send("GET", "/console/", cookie).statusCode());
        clock.advance(Duration.ofMinutes(30));
        assertEquals(302, send("GET", "/console/", cookie).statusCode());
        assertEquals(401, send("GET", "/console/session.json", cookie).statusCode());
    }

    @Test
    void signOut_withTheCsrfToken_endsTheSessionAndClearsTheCookie() throws Exception {
        String cookie = sessionCookie();
        HttpResponse<String> response = send("POST", "/console/sign-out", cookie, "X-CSRF-Token", csrfToken(cookie));
        assertEquals(204, response.statusCode());
        assertTrue(response.headers().firstValue("Set-Cookie").orElseThrow().contains("Max-Age=0"));
        assertEquals(302, send("GET", "/console/", cookie).statusCode());
    }

    @Test
    void signOut_withoutTheCsrfToken_is403AndTheSessionLives() throws Exception {
        String cookie = sessionCookie();
        assertEquals(403, send("POST", "/console/sign-out", cookie).statusCode());
        assertEquals(200, send("GET", "/console/", cookie).statusCode());
    }

    private static final String REFUSED = "cross-site request refused";

    /** POST /v1/projects through the session: the JSON API asks the console's gate first. */
    private HttpResponse<String> createProject(String id, String cookie, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(console.uri("/v1/projects"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"projectId\": \"" + id + "\"}"));
        if (!cookie.isEmpty()) {
            request.header("Cookie", cookie);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertNoProject(String id, String cookie) throws Exception {
        assertEquals(404, send("GET", "/v1/projects/" + id, cookie).statusCode());
    }

    @Test
    void api_changeWithoutTheCsrfToken_is403AndChangesNothing() throws Exception {
        String cookie = sessionCookie();
        HttpResponse<String> response = createProject("p1", cookie);
        assertEquals(403, response.statusCode());
        assertTrue(response.body().contains("\"status\":\"PERMISSION_DENIED\"") && response.body().contains(REFUSED),
                response.body());
        assertEquals(403, createProject("p1", cookie, "X-CSRF-Token", "guessed").statusCode());
        assertNoProject("p1", cookie);
    }

    @Test
    void api_changeFromAForeignOrigin_is403EvenWithTheToken() throws Exception {
        String cookie = sessionCookie();
        HttpResponse<String> response = createProject("p1", cookie, "X-CSRF-Token", csrfToken(cookie),
                "Origin", "https://evil.example");
        assertEquals(403, response.statusCode());
        assertTrue(response.body().contains(REFUSED), response.body());
        assertNoProject("p1", cookie);
    }

    @Test
    void api_changeWithTheTokenFromOurOrigin_actsAsTheSessionsKey() throws Exception {
        String cookie = sessionCookie();
        HttpResponse<String> created = createProject("p1", cookie, "X-CSRF-Token", csrfToken(cookie),
                "Origin", console.origin());
        assertEquals(200, created.statusCode(), created.body());
        HttpResponse<String> whoami = send("GET", "/v1/whoami", cookie);
        assertEquals(200, whoami.statusCode(), whoami.body());
        assertTrue(whoami.body().contains("\"keyId\":\"" + console.adminKeyId() + "\""), whoami.body());
        String project = send("GET", "/v1/projects/p1", cookie).body();
        assertEquals(console.adminKeyId(), com.google.gson.JsonParser.parseString(project).getAsJsonObject()
                .get("createdBy").getAsString(), project);
    }

    @Test
    void api_nullOriginOfANoReferrerPage_isAdmittedOnlyWhenTheFetchIsSameOrigin() throws Exception {
        String cookie = sessionCookie();
        String token = csrfToken(cookie);
        assertEquals(403, createProject("p1", cookie, "X-CSRF-Token", token, "Origin", "null").statusCode());
        assertEquals(403, createProject("p1", cookie, "X-CSRF-Token", token, "Origin", "null",
                "Sec-Fetch-Site", "cross-site").statusCode());
        assertEquals(403, createProject("p1", cookie, "X-CSRF-Token", token, "Sec-Fetch-Site", "same-site").statusCode());
        assertNoProject("p1", cookie);
        assertEquals(200, createProject("p1", cookie, "X-CSRF-Token", token, "Origin", "null",
                "Sec-Fetch-Site", "same-origin").statusCode());
    }

    @Test
    void api_expiredSession_is401AskingToSignInAgain() throws Exception {
        String cookie = sessionCookie();
        clock.advance(Duration.ofMinutes(31));
        HttpResponse<String> response = send("GET", "/v1/keys", cookie);
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("sign in again"), response.body());
    }

    @Test
    void api_anAuthorizationHeader_winsOverTheCookieAndNeedsNoCsrfToken() throws Exception {
        String cookie = sessionCookie();
        assertEquals(200, createProject("p1", cookie, "Authorization", "Bearer " + console.adminKey()).statusCode());
        assertEquals(401, createProject("p2", "", "Authorization", "Bearer kma_wrong").statusCode());
    }

    @Test
    void api_noCookieAndNoKey_is401() throws Exception {
        assertEquals(401, createProject("p1", "").statusCode());
    }

    @Test
    void assets_areServedWithTheirTypeAndUnknownNamesAre404() throws Exception {
        HttpResponse<String> script = send("GET", "/console/app.js", "");
        assertEquals(200, script.statusCode());
        assertEquals("text/javascript; charset=utf-8", script.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(404, send("GET", "/console/..%2Fdb%2Fsqlite%2FV1__initial_schema.sql", "").statusCode());
        assertEquals(404, send("GET", "/console/index.html.bak", "").statusCode());
    }
}
