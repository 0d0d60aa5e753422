package dev.keymeter.console;

import com.sun.net.httpserver.Headers;

/**
 * The headers every console response carries. The Content-Security-Policy admits only scripts and
 * styles from this origin (no inline script, no inline style, no eval), images from here or data:
 * URLs, no framing, forms posting only here and no {@code <base>}: an injected tag can neither run
 * nor send a form elsewhere.
 */
final class SecurityHeaders {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    private SecurityHeaders() {
    }

    /** Sets the common headers and {@code Cache-Control}: no-store for pages and JSON, no-cache for assets. */
    static void apply(Headers headers, boolean storable) {
        headers.set("Content-Security-Policy", CSP);
        headers.set("X-Frame-Options", "DENY");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cache-Control", storable ? "no-cache" : "no-store");
    }
}
