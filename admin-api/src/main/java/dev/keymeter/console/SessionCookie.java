package dev.keymeter.console;

import com.sun.net.httpserver.Headers;
import java.util.List;
import java.util.Optional;

/**
 * The {@code keymeter_session} cookie: HttpOnly (scripts never see the id), SameSite=Strict (another
 * site's page cannot make the browser send it), Path=/ (the console and the JSON API share it), Secure
 * when the listener speaks TLS. No Max-Age: it dies with the browser, and the server's expiry decides
 * before that.
 */
final class SessionCookie {

    static final String NAME = "keymeter_session";

    private SessionCookie() {
    }

    /** The session id the request carries, if any. */
    static Optional<String> read(Headers requestHeaders) {
        List<String> cookies = requestHeaders.get("Cookie");
        if (cookies == null) {
            return Optional.empty();
        }
        for (String header : cookies) {
            for (String pair : header.split(";")) {
                String trimmed = pair.strip();
                if (trimmed.startsWith(NAME + "=")) {
                    String value = trimmed.substring(NAME.length() + 1);
                    return value.isEmpty() ? Optional.empty() : Optional.of(value);
                }
            }
        }
        return Optional.empty();
    }

    /** The Set-Cookie value that hands {@code sessionId} to the browser. */
    static String issue(String sessionId, boolean secure) {
        return NAME + "=" + sessionId + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** The Set-Cookie value that makes the browser forget the cookie. */
    static String clear(boolean secure) {
        return NAME + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }
}
