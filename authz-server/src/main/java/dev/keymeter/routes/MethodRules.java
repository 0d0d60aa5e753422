package dev.keymeter.routes;

import java.util.List;

/**
 * The rules of one path pattern, by method: the rule naming the request's method wins over the
 * {@link RouteRule#ANY_METHOD} rule. A handful of entries at most, so a linear scan of short strings
 * beats a map. Immutable.
 */
final class MethodRules {

    private final String[] methods;
    private final ResourceAccess[] targets;
    /** The {@code *} rule's target, or null when the pattern has none. */
    private final ResourceAccess anyMethod;

    MethodRules(List<RouteRule> rules) {
        List<RouteRule> named = rules.stream().filter(r -> !r.method().equals(RouteRule.ANY_METHOD)).toList();
        this.methods = named.stream().map(RouteRule::method).toArray(String[]::new);
        this.targets = named.stream().map(RouteRule::target).toArray(ResourceAccess[]::new);
        this.anyMethod = rules.stream().filter(r -> r.method().equals(RouteRule.ANY_METHOD))
                .map(RouteRule::target).findFirst().orElse(null);
    }

    /** The target for {@code method}, or null when no rule of this pattern covers it. */
    ResourceAccess match(String method) {
        for (int i = 0; i < methods.length; i++) {
            if (methods[i].equals(method)) {
                return targets[i];
            }
        }
        return anyMethod;
    }
}
