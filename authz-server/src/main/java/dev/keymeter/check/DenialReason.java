package dev.keymeter.check;

import java.util.Locale;

/**
 * Why Check refused a request: for metrics and logs only. Clients see one message for every cause of
 * a 401 except a missing key, so that an attacker cannot tell an unknown key from a revoked one.
 */
public enum DenialReason {
    /** No configured token header carried a token. */
    MISSING_TOKEN(true),
    /** Not printable ASCII, or a keymeter prefix with a bad length or checksum (refused before any lookup). */
    MALFORMED_TOKEN(true),
    /** Longer than {@value TokenBytes#MAX_LENGTH} characters. */
    TOKEN_TOO_LONG(true),
    /** No live key has this secret. */
    UNKNOWN_KEY(true),
    DISABLED(true),
    REVOKED(true),
    /** The key's expiration time has passed. */
    EXPIRED(true),
    /** A rotated-out secret whose grace period has ended. */
    SECRET_EXPIRED(true),
    /** No route source maps the request, or a per-route resource name is not in the catalog. */
    UNKNOWN_ROUTE(false),
    /** The key's level on the route's resource is below the access the route needs. */
    PERMISSION_DENIED(false),
    /** 429: the key's requests in the last 60 s reached its requests-per-minute limit. */
    REQUESTS_PER_MINUTE(false),
    /** 429: the key's tokens in the current period reached its token limit. */
    TOKEN_LIMIT(false),
    /** 429: the key's cost in the current period reached its cost limit. */
    COST_LIMIT(false),
    /** 403: the key has a cost limit and the model it uses has no price (unpriced policy refuse). */
    MODEL_NOT_PRICED(false),
    /** 503: the counter store has no room for this key's counters (fail closed). */
    COUNTERS_FULL(false),
    /**
     * 400: the request cannot be read as it is (a header or field that is not UTF-8) or its path holds
     * an encoded dot-segment or a backslash ({@code BadRequest}).
     */
    MALFORMED_REQUEST(false),
    /** 403: the path names a project ({@code {project}} in its route) other than the project key's own. */
    PROJECT_MISMATCH(false);

    private final boolean authentication;
    private final String label;

    DenialReason(boolean authentication) {
        this.authentication = authentication;
        this.label = name().toLowerCase(Locale.ROOT);
    }

    /** True for the reasons answered with 401: the caller is not authenticated. */
    public boolean isAuthentication() {
        return authentication;
    }

    /** Lower-case name, e.g. {@code secret_expired}: a fixed set, safe as a metric label. */
    public String label() {
        return label;
    }
}
