package dev.keymeter.check;

import dev.keymeter.routes.RouteResolver;

/**
 * {@link CheckSettings} turned into what the hot path reads: the token header names as an array, the
 * route resolver, and every denial response built in advance. Immutable; {@link Authorizer} publishes
 * one through a volatile field and each request reads that field once, so a request never sees half
 * of a settings change.
 */
final class CompiledSettings {

    private static final int MEMO_HEADERS = 4;

    private final CheckSettings settings;
    private final String[] tokenHeaders;
    private final RouteResolver routes;
    private final DenialResponses denials;
    /** One identity per value of {@link RequestHeaders#tokenHeadersSent}, for the first four headers. */
    private final Object[] memoContexts;

    CompiledSettings(CheckSettings settings) {
        this.settings = settings;
        this.tokenHeaders = settings.tokenHeaders().toArray(String[]::new);
        this.routes = new RouteResolver(settings.routes());
        this.denials = new DenialResponses(settings);
        this.memoContexts = new Object[1 << Math.min(tokenHeaders.length, MEMO_HEADERS)];
        for (int i = 0; i < memoContexts.length; i++) {
            memoContexts[i] = new Object();
        }
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

    /**
     * What an allowed response built under these settings for a request that sent these token headers
     * ({@link RequestHeaders#tokenHeadersSent}) depends on besides the key, as one object compared by
     * identity ({@link HotKey}); null (do not remember) for a header past the first four.
     */
    Object memoContext(int tokenHeadersSent) {
        return tokenHeadersSent >= 0 && tokenHeadersSent < memoContexts.length ? memoContexts[tokenHeadersSent] : null;
    }
}
