package dev.keymeter.routes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Method + path → {@link ResourceAccess}, for requests whose route carries no per-route data (gRPC
 * clients, or an Envoy configured without {@code context_extensions}).
 *
 * <p>Matching: the path is compared up to its query string ({@code ?}). An exact rule beats every
 * other; then a rule with a {@value RouteRule#PROJECT_SEGMENT} segment ({@link ProjectRoutes}); then
 * the prefix rules, the longest first; for one pattern, a rule naming the request's
 * method beats the {@code *} rule, and a pattern with no rule for the method is skipped (a shorter
 * prefix may still map it). A path holding a {@code .} or {@code ..} segment matches nothing, so that
 * {@code /v1/models/../chat/completions} cannot borrow the read-only rule of {@code /v1/models/*}
 * (Envoy's {@code normalize_path} should have removed those segments before we see the path).
 *
 * <p>Immutable and thread-safe; {@link #match} allocates nothing.
 */
public final class RouteTable {

    private static final RouteTable DEFAULTS = of(DefaultRoutes.rules());

    private final List<RouteRule> rules;
    private final PathIndex exact;
    private final PathIndex prefixes;
    private final ProjectRoutes projectRoutes;

    private RouteTable(List<RouteRule> rules) {
        this.rules = List.copyOf(rules);
        this.exact = index(rules, false);
        this.prefixes = index(rules, true);
        this.projectRoutes = new ProjectRoutes(rules);
    }

    /**
     * A table of exactly these rules.
     *
     * @throws IllegalArgumentException when two rules have the same method and path
     */
    public static RouteTable of(List<RouteRule> rules) {
        Set<String> seen = new HashSet<>();
        for (RouteRule r : rules) {
            if (!seen.add(r.method() + " " + r.path())) {
                throw new IllegalArgumentException("two routes for " + r.method() + " " + r.path());
            }
        }
        return new RouteTable(rules);
    }

    /** OpenAI-compatible gateway endpoints and the platform API; see {@link DefaultRoutes}. */
    public static RouteTable defaults() {
        return DEFAULTS;
    }

    /**
     * A table from its JSON form (see {@link RouteTableJson}).
     *
     * @throws IllegalArgumentException naming the bad entry, e.g. {@code routes[3].access: …}
     */
    public static RouteTable parse(String json) {
        return RouteTableJson.parse(json);
    }

    /** This table with {@code overrides} added; an override replaces a rule with the same method and path. */
    public RouteTable with(List<RouteRule> overrides) {
        Map<String, RouteRule> merged = new LinkedHashMap<>();
        for (RouteRule r : rules) {
            merged.put(r.method() + " " + r.path(), r);
        }
        for (RouteRule r : overrides) {
            merged.put(r.method() + " " + r.path(), r);
        }
        return new RouteTable(new ArrayList<>(merged.values()));
    }

    public List<RouteRule> rules() {
        return rules;
    }

    /**
     * What a request with this method and path needs, or {@code null} when no rule maps it.
     *
     * @param path the request path as Envoy sends it, query string included
     */
    public ResourceAccess match(String method, String path) {
        int end = path.indexOf('?');
        if (end < 0) {
            end = path.length();
        }
        ResourceAccess longestPrefix = null;
        int hash = 0;
        int segmentStart = 0;
        for (int i = 0; i < end; i++) {
            char c = path.charAt(i);
            hash = 31 * hash + c; // String.hashCode of path[0, i]: what PathIndex was built with
            if (c != '/') {
                continue;
            }
            if (isDotSegment(path, segmentStart, i)) {
                return null;
            }
            segmentStart = i + 1;
            MethodRules rules = prefixes.find(path, i + 1, hash);
            ResourceAccess target = rules == null ? null : rules.match(method);
            longestPrefix = target == null ? longestPrefix : target;
        }
        if (isDotSegment(path, segmentStart, end)) {
            return null;
        }
        MethodRules rules = exact.find(path, end, hash);
        ResourceAccess target = rules == null ? null : rules.match(method);
        if (target == null && !projectRoutes.isEmpty()) {
            target = projectRoutes.match(method, path, end);
        }
        return target != null ? target : longestPrefix;
    }

    /** True when some rule holds a {@value RouteRule#PROJECT_SEGMENT} segment. */
    public boolean namesProjects() {
        return !projectRoutes.isEmpty();
    }

    /**
     * The project a request with this method and path names, when the rule {@link #match} picks for it
     * holds a {@value RouteRule#PROJECT_SEGMENT} segment: that segment of the path, as sent. Otherwise null.
     */
    public String projectOf(String method, String path) {
        if (projectRoutes.isEmpty()) {
            return null;
        }
        int end = path.indexOf('?');
        end = end < 0 ? path.length() : end;
        MethodRules rules = exact.find(path, end, path.substring(0, end).hashCode());
        if (rules != null && rules.match(method) != null) {
            return null; // an exact rule without a project segment wins
        }
        return projectRoutes.projectOf(method, path, end);
    }

    private static boolean isDotSegment(String path, int from, int to) {
        int length = to - from;
        return (length == 1 || length == 2) && path.charAt(from) == '.' && path.charAt(to - 1) == '.';
    }

    private static PathIndex index(List<RouteRule> rules, boolean prefix) {
        Map<String, List<RouteRule>> byPattern = new LinkedHashMap<>();
        for (RouteRule r : rules) {
            if (r.isPrefix() == prefix && !r.namesProject()) {
                byPattern.computeIfAbsent(r.pattern(), p -> new ArrayList<>()).add(r);
            }
        }
        Map<String, MethodRules> compiled = new LinkedHashMap<>();
        byPattern.forEach((pattern, list) -> compiled.put(pattern, new MethodRules(list)));
        return new PathIndex(compiled);
    }

    @Override
    public String toString() {
        return "RouteTable" + rules;
    }
}
