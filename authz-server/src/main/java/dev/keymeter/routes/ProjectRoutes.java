package dev.keymeter.routes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of a {@link RouteTable} whose path holds a {@value RouteRule#PROJECT_SEGMENT} segment,
 * matched segment-wise: the text before the segment, one non-empty segment (the project), then the
 * text after it, exactly or as a {@code /*} prefix. Exact patterns are tried before prefix ones, longer
 * before shorter, so the most specific rule wins as in the rest of the table. A handful of rules at
 * most: a linear scan. Immutable; allocates nothing.
 */
final class ProjectRoutes {

    /** One pattern: {@code before}{project}{@code after}, a prefix when {@code prefix}. */
    private record Pattern(String before, String after, boolean prefix, MethodRules rules) {
    }

    private final Pattern[] patterns;

    ProjectRoutes(List<RouteRule> rules) {
        Map<String, List<RouteRule>> byPath = new LinkedHashMap<>();
        for (RouteRule r : rules) {
            if (r.namesProject()) {
                byPath.computeIfAbsent(r.pattern() + (r.isPrefix() ? "*" : ""), p -> new ArrayList<>()).add(r);
            }
        }
        List<Pattern> list = new ArrayList<>();
        byPath.forEach((path, samePattern) -> {
            RouteRule first = samePattern.get(0);
            String pattern = first.pattern();
            int at = pattern.indexOf(RouteRule.PROJECT_SEGMENT);
            list.add(new Pattern(pattern.substring(0, at), pattern.substring(at + RouteRule.PROJECT_SEGMENT.length()),
                    first.isPrefix(), new MethodRules(samePattern)));
        });
        list.sort(Comparator.comparing(Pattern::prefix)
                .thenComparing(p -> -(p.before().length() + p.after().length())));
        this.patterns = list.toArray(Pattern[]::new);
    }

    boolean isEmpty() {
        return patterns.length == 0;
    }

    /** The index of the pattern that maps {@code method} and {@code path[0, end)}, or -1. */
    private int find(String method, String path, int end) {
        for (int i = 0; i < patterns.length; i++) {
            Pattern p = patterns[i];
            int segmentEnd = segmentEnd(p, path, end);
            if (segmentEnd < 0) {
                continue;
            }
            int rest = end - segmentEnd;
            boolean after = p.prefix()
                    ? rest >= p.after().length() && path.startsWith(p.after(), segmentEnd)
                    : rest == p.after().length() && path.startsWith(p.after(), segmentEnd);
            if (after && p.rules().match(method) != null) {
                return i;
            }
        }
        return -1;
    }

    /** Where the project segment of {@code path} ends under {@code p}, or -1 when the path does not fit. */
    private static int segmentEnd(Pattern p, String path, int end) {
        int from = p.before().length();
        if (end <= from || !path.startsWith(p.before())) {
            return -1;
        }
        int to = path.indexOf('/', from);
        to = to < 0 || to > end ? end : to;
        return to > from ? to : -1;
    }

    /** What {@code method} on {@code path[0, end)} needs under these rules, or null. */
    ResourceAccess match(String method, String path, int end) {
        int i = find(method, path, end);
        return i < 0 ? null : patterns[i].rules().match(method);
    }

    /** The project segment of {@code path[0, end)} under the rule that maps it, or null. */
    String projectOf(String method, String path, int end) {
        int i = find(method, path, end);
        return i < 0 ? null : path.substring(patterns[i].before().length(), segmentEnd(patterns[i], path, end));
    }
}
