package dev.keymeter.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The two HTML pages: the console itself ({@code index.html}, whose scripts draw every screen) and
 * the sign-in form. The only text put into a page is one of the sign-in messages of {@link SignIn},
 * fixed strings: nothing a request sent is ever written into HTML.
 */
final class Pages {

    private static final String MESSAGE_SLOT = "<!--message-->";

    private final StaticAssets assets;

    Pages(StaticAssets assets) {
        this.assets = assets;
    }

    void console(HttpExchange exchange) throws IOException {
        StaticAssets.Asset page = assets.require("index.html");
        Replies.send(exchange, 200, page.contentType(), page.body(), false);
    }

    void signIn(HttpExchange exchange, int status, String message) throws IOException {
        StaticAssets.Asset page = assets.require("sign-in.html");
        String html = new String(page.body(), StandardCharsets.UTF_8);
        String slot = message.isEmpty() ? "" : "<p class=\"error\" role=\"alert\">" + message + "</p>";
        Replies.send(exchange, status, page.contentType(), html.replace(MESSAGE_SLOT, slot)
                .getBytes(StandardCharsets.UTF_8), false);
    }
}
