package dev.keymeter.http;

import java.util.List;
import java.util.Map;

/** What the route table says about a request: a route, a path served with other methods, or nothing. */
sealed interface RouteMatch {

    /** {@code route} fits, with its raw path parameters. */
    record Found(Route route, Map<String, String> rawPathParameters) implements RouteMatch {
    }

    /** The path exists, but not for this method: 405 with {@code Allow}. */
    record WrongMethod(List<String> allowed) implements RouteMatch {
    }

    /** No route has this path: 404. */
    record NotFound() implements RouteMatch {
    }
}
