package dev.keymeter.routes;

import java.util.Objects;

/**
 * One line of a {@link RouteTable}: requests with this method whose path matches {@code path} need
 * {@code target}.
 *
 * @param method an HTTP method in upper case ({@code GET}, {@code POST}, …) or {@link #ANY_METHOD}
 * @param path either an exact path ({@code /v1/chat/completions}) or a prefix written with a trailing
 *     {@code /*} ({@code /v1/images/*} matches every path that starts with {@code /v1/images/}, not
 *     {@code /v1/images} itself). Paths are compared case-sensitively and without the query string.
 * @param target what a matching request needs
 */
public record RouteRule(String method, String path, ResourceAccess target) {

    /** The method of a rule that matches every method not named by another rule of the same path. */
    public static final String ANY_METHOD = "*";

    public RouteRule {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(target, "target");
        checkMethod(method);
        checkPath(path);
    }

    /** True for a {@code /*} rule. */
    public boolean isPrefix() {
        return path.endsWith("/*");
    }

    /** The text compared with request paths: the path itself, or the prefix up to and including its last {@code /}. */
    String pattern() {
        return isPrefix() ? path.substring(0, path.length() - 1) : path;
    }

    private static void checkMethod(String method) {
        if (method.equals(ANY_METHOD)) {
            return;
        }
        if (method.isEmpty()) {
            throw new IllegalArgumentException("method must be an HTTP method such as GET, or \"*\"; was empty");
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c < 'A' || c > 'Z') {
                throw new IllegalArgumentException("method must be upper-case letters (GET, POST, …) or \"*\"; was \""
                        + method + "\"");
            }
        }
    }

    private static void checkPath(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with \"/\"; was \"" + path + "\"");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '?' || c == '#') {
                throw new IllegalArgumentException("path must be printable ASCII without spaces, \"?\" or \"#\""
                        + " (the query string is never compared); was \"" + path + "\"");
            }
            if (c == '*' && (i != path.length() - 1 || path.charAt(i - 1) != '/')) {
                throw new IllegalArgumentException("path may hold \"*\" only as a final \"/*\" (a prefix); was \""
                        + path + "\"");
            }
        }
    }
}
