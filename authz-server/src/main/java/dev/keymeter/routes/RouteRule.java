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
 *     One segment may be {@value #PROJECT_SEGMENT} ({@code /v1/projects/{project}/prompts/*}): it
 *     matches any one non-empty segment, and Check compares that segment with a project key's
 *     project (403 when they differ; admin keys act on every project).
 * @param target what a matching request needs
 */
public record RouteRule(String method, String path, ResourceAccess target) {

    /** The method of a rule that matches every method not named by another rule of the same path. */
    public static final String ANY_METHOD = "*";
    /** The path segment that names the project the request acts on. */
    public static final String PROJECT_SEGMENT = "{project}";

    public RouteRule {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(target, "target");
        checkMethod(method);
        checkPath(path);
    }

    /** True when the path holds a {@value #PROJECT_SEGMENT} segment. */
    public boolean namesProject() {
        return path.contains(PROJECT_SEGMENT);
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
        checkProjectSegment(path);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '?' || c == '#') {
                throw new IllegalArgumentException("path must be printable ASCII without spaces, \"?\" or \"#\""
                        + " (the query string is never compared); was \"" + path + "\"");
            }
            if (c == '\\') {
                throw new IllegalArgumentException("path must not hold a backslash; was \"" + path + "\"");
            }
            if (c == '*' && (i != path.length() - 1 || path.charAt(i - 1) != '/')) {
                throw new IllegalArgumentException("path may hold \"*\" only as a final \"/*\" (a prefix); was \""
                        + path + "\"");
            }
        }
    }

    /** Braces only as one whole {@value #PROJECT_SEGMENT} segment, at most once. */
    private static void checkProjectSegment(String path) {
        String rest = path.replace("/" + PROJECT_SEGMENT + "/", "//").replaceAll("/\\{project}$", "/");
        int first = path.indexOf(PROJECT_SEGMENT);
        boolean once = first < 0 || first == path.lastIndexOf(PROJECT_SEGMENT);
        if (!once || rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
            throw new IllegalArgumentException("path may hold braces only as one whole \"" + PROJECT_SEGMENT
                    + "\" segment (the project the request acts on); was \"" + path + "\"");
        }
    }
}
