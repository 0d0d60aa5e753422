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
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
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
        assertEquals(1, console.sessions.size());
    }

    @Test
    void signIn_withAWrongKey_is401WithoutEchoingIt() throws Exception {
        String wrong = "kma_notARealKeyButLooksLikeOne123456abcdef";
        HttpResponse<String> response = signIn(wrong);
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("That key was not accepted."), response.body());
        assertFalse(response.body().contains(wrong));
        assertTrue(response.headers().firstValue("Set-Cookie").isEmpty());
        assertEquals(0, console.sessions.size());
    }

    @Test
    void signIn_fromAnotherOrigin_isRefused() throws Exception {
        HttpResponse<String> response = signIn(console.adminKey(), "Origin", "https://evil.example");
        assertEquals(403, response.statusCode());
        assertTrue(response.body().contains("cross-site request refused"), response.body());
        assertEquals(0, console.sessions.size());
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
        assertEquals(0, console.sessions.size());
        assertEquals(302, send("GET", "/console/", cookie).statusCode());
    }

    @Test
    void signOut_withoutTheCsrfToken_is403AndTheSessionLives() throws Exception {
        String cookie = sessionCookie();
        assertEquals(403, send("POST", "/console/sign-out", cookie).statusCode());
        assertEquals(200, send("GET", "/console/", cookie).statusCode());
    }

    @Test
    void gate_changeWithoutTheCsrfToken_isRefused() throws Exception {
        String cookie = sessionCookie();
        assertEquals("refused 403 cross-site request refused", send("POST", "/probe", cookie).body());
        assertEquals("refused 403 cross-site request refused",
                send("DELETE", "/probe", cookie, "X-CSRF-Token", "guessed").body());
    }

    @Test
    void gate_changeFromAForeignOrigin_isRefusedEvenWithTheToken() throws Exception {
        String cookie = sessionCookie();
        String token = csrfToken(cookie);
        assertEquals("refused 403 cross-site request refused",
                send("POST", "/probe", cookie, "X-CSRF-Token", token, "Origin", "https://evil.example").body());
    }

    @Test
    void gate_changeWithTheTokenFromOurOrigin_isAdmittedAsTheSessionsKey() throws Exception {
        String cookie = sessionCookie();
        String token = csrfToken(cookie);
        String keyId = console.controlPlane.bootstrapKey().orElseThrow().key().id();
        assertEquals("admitted " + keyId,
                send("POST", "/probe", cookie, "X-CSRF-Token", token, "Origin", console.origin()).body());
        assertEquals("admitted " + keyId, send("GET", "/probe", cookie).body());
    }

    @Test
    void gate_nullOriginOfANoReferrerPage_isAdmittedOnlyWhenTheFetchIsSameOrigin() throws Exception {
        String cookie = sessionCookie();
        String token = csrfToken(cookie);
        String keyId = console.controlPlane.bootstrapKey().orElseThrow().key().id();
        assertEquals("admitted " + keyId, send("POST", "/probe", cookie, "X-CSRF-Token", token,
                "Origin", "null", "Sec-Fetch-Site", "same-origin").body());
        assertEquals("refused 403 cross-site request refused",
                send("POST", "/probe", cookie, "X-CSRF-Token", token, "Origin", "null").body());
        assertEquals("refused 403 cross-site request refused", send("POST", "/probe", cookie, "X-CSRF-Token", token,
                "Origin", "null", "Sec-Fetch-Site", "cross-site").body());
        assertEquals("refused 403 cross-site request refused", send("POST", "/probe", cookie, "X-CSRF-Token", token,
                "Sec-Fetch-Site", "same-site").body());
    }

    @Test
    void gate_noCookie_leavesTheRequestToTheBearerHeader() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(console.uri("/probe"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("none", response.body());
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
