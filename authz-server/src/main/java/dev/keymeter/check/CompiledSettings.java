package dev.keymeter.check;

import dev.keymeter.routes.RouteResolver;

/**
 * {@link CheckSettings} turned into what the hot path reads: the token header names as an array, the
 * route resolver, and every denial response built in advance. Immutable; {@link Authorizer} publishes
 * one through a volatile field and each request reads that field once, so a request never sees half
 * of a settings change.
 */
final class CompiledSettings {

    private final CheckSettings settings;
    private final String[] tokenHeaders;
    private final RouteResolver routes;
    private final DenialResponses denials;

    CompiledSettings(CheckSettings settings) {
        this.settings = settings;
        this.tokenHeaders = settings.tokenHeaders().toArray(String[]::new);
        this.routes = new RouteResolver(settings.routes());
        this.denials = new DenialResponses(settings);
    }

    CheckSettings settings() {
        return settings;
    }

    /** Most preferred first, lower case. Shared, never written: callers must not modify it. */
    String[] tokenHeaders() {
        return tokenHeaders;
    }

    RouteResolver routes() {
        return routes;
    }

    DenialResponses denials() {
        return denials;
    }
}
