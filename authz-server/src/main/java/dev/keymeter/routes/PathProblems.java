package dev.keymeter.routes;

/**
 * Paths no route may be matched against, because the upstream may resolve them to another path than
 * the one matched: a dot-segment ({@code /./}, {@code /../}), plain or percent-encoded ({@code %2e%2e},
 * {@code %2E%2e}, {@code .%2e}), a backslash (some servers read it as {@code /}), and an encoded slash or
 * backslash ({@code %2F}, {@code %5C}), and an empty segment ({@code //}, which an upstream that merges
 * slashes reads as another path than the one matched). Envoy's {@code normalize_path} removes plain dot-segments
 * before Check, but not every client comes through Envoy, and Envoy leaves encoded ones alone.
 *
 * <p>Only the path before the query string is looked at. Stateless; allocates nothing for a good path.
 */
public final class PathProblems {

    private PathProblems() {
    }

    /** What is wrong with {@code path}, as words that follow "The request path" (e.g. "holds a backslash"); or null. */
    public static String of(String path) {
        int end = path.indexOf('?');
        if (end < 0) {
            end = path.length();
        }
        int segmentStart = 0;
        for (int i = 0; i <= end; i++) {
            char c = i < end ? path.charAt(i) : '/';
            if (c == '\\') {
                return "holds a backslash";
            }
            if (c == '%' && i + 2 < end) {
                String encoded = encodedSeparator(path.charAt(i + 1), path.charAt(i + 2));
                if (encoded != null) {
                    return "holds an encoded " + encoded;
                }
            }
            if (c == '/' && i < end && i > 0 && path.charAt(i - 1) == '/') {
                // An empty segment: "/v1/projects//other" would match no {project} rule and fall to a
                // prefix rule, while an upstream that merges slashes serves /v1/projects/other.
                return "holds an empty segment (//)";
            }
            if (c == '/') {
                String dots = dotSegment(path, segmentStart, i);
                if (dots != null) {
                    return dots;
                }
                segmentStart = i + 1;
            }
        }
        return null;
    }

    /** "slash" for %2F, "backslash" for %5C (any case), else null. */
    private static String encodedSeparator(char high, char low) {
        if (high == '2' && (low == 'f' || low == 'F')) {
            return "slash (%2F)";
        }
        return high == '5' && (low == 'c' || low == 'C') ? "backslash (%5C)" : null;
    }

    /** The problem when {@code path[from, to)} is {@code .} or {@code ..}, each dot plain or {@code %2e}; else null. */
    private static String dotSegment(String path, int from, int to) {
        int dots = 0;
        boolean encoded = false;
        int i = from;
        while (i < to) {
            if (path.charAt(i) == '.') {
                i++;
            } else if (path.startsWith("%2e", i) || path.startsWith("%2E", i)) {
                encoded = true;
                i += 3;
            } else {
                return null;
            }
            dots++;
        }
        if (dots == 0 || dots > 2) {
            return null;
        }
        return encoded ? "holds an encoded dot-segment (%2e)" : "holds a dot-segment (/./ or /../)";
    }
}
